using System.Runtime.CompilerServices;
using TorchSharp;
using static TorchSharp.torch;

namespace Penumbra.Models.Common;

/// <summary>
/// Taps: observe or replace the output of named submodules of a model during its forward passes. Built on
/// TorchSharp's forward hooks (run by <c>call()</c>, which every Penumbra module uses for its children), so an
/// untapped model runs exactly as before; removing the taps (<see cref="Dispose"/>) restores it.
/// A path is the submodule's state-dict prefix: <c>time_embedding</c>, <c>down_blocks.0</c>, <c>mid_block</c>,
/// <c>up_blocks.1</c>, <c>down_blocks.0.attentions.0.transformer_blocks.0.attn2</c>, ...
/// <code>
/// using var taps = new ModuleTaps(unet)
///     .Capture("mid_block", "down_blocks.0.attentions.0.transformer_blocks.0.attn1")  // detached copies
///     .Observe("up_blocks.1", e => Console.WriteLine(e.Output.norm().item&lt;float&gt;()))
///     .Replace("mid_block", e => e.Input! + g * (e.Output - e.Input!));             // mid-block bypass
/// var eps = unet.call(sample, t, context);
/// var mid = taps.Captured["mid_block"];   // the original mid-block output: the capture runs before the replacement
/// </code>
/// Handlers on one path run in the order they were added, each seeing the output left by the previous one
/// (so a capture added before a replacement sees the original output). A handler's tensors live in the forward
/// pass's dispose scope; <see cref="Capture"/> keeps copies outside it, valid until the next call of that module
/// or until the taps are disposed. For a module returning a tuple (UNet down blocks: hidden states and residuals)
/// the handler sees and replaces the first element. To stop a UNet after its mid block use
/// <c>UNet2DConditionModel.ForwardToMidBlock</c>.
/// </summary>
public sealed class ModuleTaps : IDisposable
{
    private readonly nn.Module _root;
    private readonly List<Action> _removers = new();
    private readonly Dictionary<string, Tensor> _captured = new(StringComparer.Ordinal);

    public ModuleTaps(nn.Module root) => _root = root;

    /// <summary>The last output of every captured path (detached copies).</summary>
    public IReadOnlyDictionary<string, Tensor> Captured => _captured;

    /// <summary>Calls <paramref name="observer"/> after every call of the submodule; the output is left as it is.</summary>
    public ModuleTaps Observe(string path, Action<TapEvent> observer) => Add(path, e => { observer(e); return null; });

    /// <summary>Replaces the submodule's output by what <paramref name="replacement"/> returns (same shape expected downstream).</summary>
    public ModuleTaps Replace(string path, Func<TapEvent, Tensor> replacement) => Add(path, replacement);

    /// <summary>Keeps a detached copy of each path's output in <see cref="Captured"/>.</summary>
    public ModuleTaps Capture(params string[] paths)
    {
        foreach (var path in paths)
            Observe(path, e =>
            {
                var copy = e.Output.detach().clone().DetachFromDisposeScope();
                if (_captured.Remove(e.Path, out var old)) old.Dispose();
                _captured[e.Path] = copy;
            });
        return this;
    }

    /// <summary>The general form: <paramref name="handler"/> returns a replacement output, or null to keep it.</summary>
    public ModuleTaps Add(string path, Func<TapEvent, Tensor?> handler)
    {
        var module = ModulePaths.Find(_root, path);
        _removers.Add(ForwardHooks.Register(module, path, (inputs, output) =>
        {
            var primary = Primary(path, output);
            var replaced = handler(new TapEvent(path, module, inputs, primary));
            return replaced is null ? output : WithPrimary(output, replaced);
        }));
        return this;
    }

    /// <summary>Removes every hook (captures stay readable until <see cref="Dispose"/>).</summary>
    public void RemoveHooks()
    {
        foreach (var remove in _removers) remove();
        _removers.Clear();
    }

    public void Dispose()
    {
        RemoveHooks();
        foreach (var t in _captured.Values) t.Dispose();
        _captured.Clear();
    }

    private static Tensor Primary(string path, object? output) => output switch
    {
        Tensor t => t,
        ITuple { Length: > 0 } tuple when tuple[0] is Tensor first => first,
        _ => throw new InvalidOperationException($"'{path}': output of type {output?.GetType().Name ?? "null"} has no tensor to tap"),
    };

    private static object WithPrimary(object? output, Tensor replacement)
    {
        if (output is not ITuple tuple) return replacement;
        var items = new object?[tuple.Length];
        for (int i = 0; i < items.Length; i++) items[i] = tuple[i];
        items[0] = replacement;
        return Activator.CreateInstance(output.GetType(), items)!;
    }
}
