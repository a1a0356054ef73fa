using static TorchSharp.torch;

namespace Penumbra.Models.Attention;

/// <summary>
/// Gives chosen batch rows another cross-attention context (one shared by every row, e.g. the empty caption's token
/// states, or one per row, e.g. each caption with some words removed) in place of their own, then runs the wrapped processor: a way to keep one layer from reading some captions while the rest of the
/// network reads them (the toy world's joint training keeps the shared mid block from learning the words only some
/// experts see). Self-attention, and calls with no row chosen, pass through unchanged.
/// </summary>
public sealed class RowContextProcessor : IAttentionProcessor
{
    private readonly IAttentionProcessor _inner;
    private Tensor _replacement;

    /// <param name="replacement">See <see cref="Replacement"/>.</param>
    /// <param name="inner">The processor that does the attention (default <see cref="ScaledDotProductAttentionProcessor"/>).</param>
    public RowContextProcessor(Tensor replacement, IAttentionProcessor? inner = null)
    {
        _replacement = Checked(replacement);
        _inner = inner ?? ScaledDotProductAttentionProcessor.Instance;
    }

    /// <summary>The context the chosen rows get: [1, N, D] for all of them, or [B, N, D] row by row (N and D as the layer's
    /// context). The caller owns the tensor.</summary>
    public Tensor Replacement
    {
        get => _replacement;
        set => _replacement = Checked(value);
    }

    /// <summary>Which rows of the next batches get the replacement (null: none); one entry per row of the context.</summary>
    public IReadOnlyList<bool>? Rows { get; set; }

    public Tensor Process(Attention attn, Tensor hiddenStates, Tensor? encoderHiddenStates)
    {
        if (encoderHiddenStates is null || Rows is null || !Rows.Contains(true)) return _inner.Process(attn, hiddenStates, encoderHiddenStates);
        if (Rows.Count != encoderHiddenStates.shape[0])
            throw new InvalidOperationException($"{Rows.Count} rows chosen for a context of {encoderHiddenStates.shape[0]} rows");
        long replacementRows = _replacement.shape[0];
        bool fits = (replacementRows == 1 || replacementRows == encoderHiddenStates.shape[0])
                    && encoderHiddenStates.shape[1] == _replacement.shape[1] && encoderHiddenStates.shape[2] == _replacement.shape[2];
        if (!fits)
            throw new InvalidOperationException($"replacement context [{string.Join(", ", _replacement.shape)}] does not fit the layer's context " +
                                                $"[{string.Join(", ", encoderHiddenStates.shape)}]");
        using var scope = NewDisposeScope();
        var chosen = tensor(Rows.ToArray(), device: encoderHiddenStates.device).view(-1, 1, 1);
        var replacement = _replacement.to(encoderHiddenStates.dtype, encoderHiddenStates.device).expand_as(encoderHiddenStates);
        var context = where(chosen, replacement, encoderHiddenStates);
        return scope.MoveToOuter(_inner.Process(attn, hiddenStates, context));
    }

    private static Tensor Checked(Tensor replacement) => replacement.dim() == 3
        ? replacement
        : throw new ArgumentException($"the replacement context must be [1, N, D] or [B, N, D], got [{string.Join(", ", replacement.shape)}]", nameof(replacement));
}
