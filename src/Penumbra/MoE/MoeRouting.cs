namespace Penumbra.MoE;

/// <summary>
/// Routing settings shared by the <see cref="SparseMoeBlock"/>s of one model and set from outside the UNet's forward
/// (which calls the blocks as plain <c>Module&lt;Tensor, Tensor&gt;</c>): a default <see cref="MoeRoute"/>, per-block
/// overrides by module path, a top-k override, and observation of every call.
/// <code>
/// using (model.Routing.Use(MoeRoute.Forced(0, 1, 2, 3)))      // row r through expert r everywhere
///     eps = model.Unet.call(sample4, t, context4);
/// model.Routing.Set("down_blocks.0.attentions.0.transformer_blocks.0.attn1.to_q", MoeRoute.EachRow);
/// </code>
/// </summary>
public sealed class MoeRouting
{
    private readonly Dictionary<string, MoeRoute> _overrides = new(StringComparer.Ordinal);
    private int? _topK;

    /// <summary>The route of every block without an override (default: segmoe's <see cref="MoeRoute.Global"/>).</summary>
    public MoeRoute Default { get; set; } = MoeRoute.Global;

    /// <summary>When set, every block uses this many experts per token instead of its own <c>num_experts_per_tok</c>.</summary>
    public int? TopK
    {
        get => _topK;
        set => _topK = value is < 1 ? throw new ArgumentOutOfRangeException(nameof(value), value, "top-k must be at least 1") : value;
    }

    /// <summary>Keep the softmax over all experts' gate logits of each call in <see cref="MoeCall.GateProbabilities"/>
    /// (router entropy and other router statistics). Off by default.</summary>
    public bool CaptureProbabilities { get; set; }

    /// <summary>Called after every block call (with the block's <see cref="SparseMoeBlock.LastCall"/>; copy its tensors to keep
    /// them beyond the block's next call).</summary>
    public Action<MoeCall>? OnCall { get; set; }

    /// <summary>The route of the block at <paramref name="path"/>.</summary>
    public MoeRoute For(string path) => _overrides.TryGetValue(path, out var r) ? r : Default;

    /// <summary>Routes the block at <paramref name="path"/> with <paramref name="route"/> (null removes the override).</summary>
    public void Set(string path, MoeRoute? route)
    {
        if (route is null) _overrides.Remove(path);
        else _overrides[path] = route;
    }

    /// <summary>The blocks with an override.</summary>
    public IReadOnlyDictionary<string, MoeRoute> Overrides => _overrides;

    /// <summary>Removes every override and the top-k override, and restores the global default.</summary>
    public void Reset()
    {
        _overrides.Clear();
        _topK = null;
        Default = MoeRoute.Global;
    }

    /// <summary>Sets <see cref="Default"/> (and, if given, <see cref="TopK"/>) until the returned object is disposed.</summary>
    public IDisposable Use(MoeRoute route, int? topK = null)
    {
        var (oldRoute, oldTopK) = (Default, _topK);
        Default = route;
        if (topK is not null) TopK = topK;
        return new Restore(() => { Default = oldRoute; _topK = oldTopK; });
    }

    private sealed class Restore(Action undo) : IDisposable
    {
        private Action? _undo = undo;

        public void Dispose()
        {
            _undo?.Invoke();
            _undo = null;
        }
    }
}
