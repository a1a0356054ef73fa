using Penumbra.Reports;

namespace Penumbra.Quality;

/// <summary>For prompts that state no colour: the fraction of generated shapes (of those the checker finds) whose colour is
/// red, bootstrapped over prompts; the training data's rate is 0.8.</summary>
public sealed record RedFractionRow(string Schedule, Interval RedFraction, int Found, int Images);
