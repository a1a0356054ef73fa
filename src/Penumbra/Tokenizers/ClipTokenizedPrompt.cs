namespace Penumbra.Tokenizers;

/// <summary>
/// Model input ids of one prompt: <c>BOS + content + EOS</c>, then padding. <see cref="Length"/> counts the positions
/// before the padding (the attention mask is <c>position &lt; Length</c>); <see cref="DroppedTokens"/> is how many
/// content tokens truncation removed (0 when the prompt fitted), so callers can warn.
/// </summary>
public sealed record ClipTokenizedPrompt(long[] Ids, int Length, int DroppedTokens)
{
    public bool Truncated => DroppedTokens > 0;

    public long[] AttentionMask() => Enumerable.Range(0, Ids.Length).Select(i => i < Length ? 1L : 0L).ToArray();
}
