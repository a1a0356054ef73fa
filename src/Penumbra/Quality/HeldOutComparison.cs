using Penumbra.Reports;

namespace Penumbra.Quality;

/// <summary>The chosen schedule against g ≡ 1 on held-out prompts: paired differences (chosen − baseline) over the same
/// prompts and seeds, bootstrapped over prompts. <see cref="Wins"/>: the toy-FID difference interval lies below 0 and the
/// checker difference interval does not lie below 0.</summary>
public sealed record HeldOutComparison(string Chosen, ConfigResult Baseline, ConfigResult Candidate, Interval ToyFidDifference,
    Interval CheckerDifference, bool Wins);
