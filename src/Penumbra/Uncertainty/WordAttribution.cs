namespace Penumbra.Uncertainty;

/// <summary>What one word of a prompt adds to its EU: <see cref="Contribution"/> = EU(prompt) − EU(prompt without the word),
/// positive when removing the word lowers the uncertainty. <see cref="Index"/> is the word's position (whitespace-split).</summary>
public sealed record WordAttribution(int Index, string Word, double EuWithout, double Contribution);
