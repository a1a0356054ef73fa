namespace Penumbra.Tokenizers;

/// <summary>
/// Model input ids of one prompt: <c>BOS + content + EOS</c>, then padding. <see cref="Length"/> counts the positions
/// before the padding (the attention mask is <c>position &lt; Length</c>); <see cref="DroppedTokens"/> is how many
/// content tokens truncation removed (0 when the prompt fitted) and <see cref="DroppedText"/> their decoded text, so
/// callers can warn (<see cref="TruncationWarning"/>, worded like diffusers' log message).
/// </summary>
public sealed record ClipTokenizedPrompt(long[] Ids, int Length, int DroppedTokens, string DroppedText = "")
{
    public bool Truncated => DroppedTokens > 0;

    public string? TruncationWarning => Truncated
        ? $"{DroppedTokens} token(s) beyond CLIP's {Length - 2}-token limit were dropped: \"{DroppedText}\""
        : null;

    public long[] AttentionMask() => Enumerable.Range(0, Ids.Length).Select(i => i < Length ? 1L : 0L).ToArray();
}
