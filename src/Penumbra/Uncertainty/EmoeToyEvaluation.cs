using Penumbra.MoE;
using Penumbra.Reports;
using Penumbra.Toy;
using Penumbra.Toy.Models;

namespace Penumbra.Uncertainty;

/// <summary>
/// Does EMoE's EU point the intended way on the toy world (issue 7)? Three prompt sets from the toy grammar (seeded,
/// <see cref="EmoeToyOptions.PromptsPerSet"/> each): <c>in</c> = English captions stating only concepts every expert of
/// <see cref="EmoeToyOptions.ExpertSet"/> saw (for the bundled set: no triangle, no purple, position left or centre or
/// unstated); <c>unseen</c> = English captions stating at least one concept some expert never saw (there: triangle, purple,
/// right, top or bottom); <c>finnish</c> = each <c>in</c> caption written
/// in the grammar's Finnish (no expert saw Finnish). All prompts are scored in batches with one seed (or their scores averaged
/// over <see cref="EmoeToyOptions.LatentSeeds"/> initial latents), the baselines come from
/// the same run, and (optionally) each prompt's normal MoE image from that seed is scored with the exact checker.
/// </summary>
public static class EmoeToyEvaluation
{
    public const string InSet = "in";
    public const string UnseenSet = "unseen";
    public const string FinnishSet = "finnish";

    /// <summary>The evaluation prompts: the <c>in</c> set, then <c>unseen</c>, then <c>finnish</c> (pairs with <c>in</c> by index).</summary>
    public static IReadOnlyList<EmoeToyPrompt> Prompts(EmoeToyOptions options)
    {
        if (options.PromptsPerSet < 2) throw new ArgumentException($"at least 2 prompts per set are needed, got {options.PromptsPerSet}");
        var set = options.ExpertSet;
        var inSamples = new ToyDataset(set.Core.Data, options.DataSeed).Take(options.PromptsPerSet);
        var unseen = new ToyDataset(new ToyDatasetOptions(), options.DataSeed + 1)
            .TakeWhere(options.PromptsPerSet, s => Unseen(s.Stated, set), 1000L * options.PromptsPerSet + 1);
        if (unseen.Count < options.PromptsPerSet) throw new InvalidOperationException("the toy grammar gave too few unseen-concept captions");
        var prompts = new List<EmoeToyPrompt>();
        prompts.AddRange(inSamples.Select((s, i) => new EmoeToyPrompt(s.Caption, InSet, i)));
        prompts.AddRange(unseen.Select((s, i) => new EmoeToyPrompt(s.Caption, UnseenSet, i) { Concepts = UnseenConcepts(s.Stated, set) }));
        prompts.AddRange(inSamples.Select((s, i) => new EmoeToyPrompt(ToyCaptions.Write(s.Stated, s.Phrasing, ToyLanguage.Finnish), FinnishSet, i)));
        return prompts;
    }

    /// <summary>Whether a caption states a concept some expert of <paramref name="set"/> (default: the bundled model's,
    /// <see cref="ToyExpertSet.Concepts"/>) never saw.</summary>
    public static bool Unseen(ToyPrompt p, ToyExpertSet? set = null) => UnseenConcepts(p, set).Count > 0;

    /// <summary>The concepts some expert of <paramref name="set"/> never saw that a caption states (shape, colour, position
    /// values that some expert's data leave out; for the bundled set "triangle", "purple", "right", "top", "bottom").</summary>
    public static IReadOnlyList<string> UnseenConcepts(ToyPrompt p, ToyExpertSet? set = null)
    {
        var leftOut = (set ?? ToyExpertSet.Concepts).Experts.SelectMany(e => e.Data.LeftOut(p)).ToHashSet();
        return new Enum?[] { p.Shape, p.Color, p.Position }.OfType<Enum>().Where(leftOut.Contains)
            .Select(v => v.ToString().ToLowerInvariant()).ToList();
    }

    public static EmoeToyReport Run(SegMoePipeline moe, EmoeToyOptions options, IProgress<int>? progress = null, CancellationToken ct = default)
    {
        if (options.LatentSeeds < 1) throw new ArgumentException($"at least 1 initial latent is needed, got {options.LatentSeeds}");
        var prompts = Prompts(options).ToList();
        var analyzer = new EmoeAnalyzer(new EmoeEstimator(moe));
        var checker = new ToyChecker();
        var perSeed = prompts.Select(_ => new List<EmoeToyPrompt>()).ToArray();
        for (int k = 0; k < options.LatentSeeds; k++)
        {
            var analysis = new EmoeAnalysisOptions
            {
                Emoe = options.Emoe with { Seed = options.Emoe.Seed + k }, WithImage = options.CheckImages && k == 0,
                GuidanceScale = options.GuidanceScale, CancellationToken = ct,
            };
            for (int start = 0; start < prompts.Count; start += options.BatchSize)
            {
                int count = Math.Min(options.BatchSize, prompts.Count - start);
                var results = analyzer.Analyze(prompts.Skip(start).Take(count).Select(p => p.Prompt).ToArray(), analysis);
                for (int j = 0; j < count; j++)
                    using (var a = results[j])
                        perSeed[start + j].Add(prompts[start + j] with
                        {
                            Eu = a.Result.Eu, RouterEntropy = a.Baselines.RouterEntropy, TokenLength = a.Baselines.TokenLength,
                            SeedVariance = a.Baselines.SeedVariance, PathMeasures = a.Baselines.PathMeasures,
                            CheckerScore = a.Image is null ? double.NaN : checker.Check(a.Image, prompts[start + j].Prompt).Score,
                        });
                progress?.Report(k * prompts.Count + start + count);
            }
        }
        return Summarize(perSeed.Select(MeanOverLatents).ToList(), options);
    }

    /// <summary>One prompt's scores averaged over its initial latents (the checker score is the first latent's image).</summary>
    private static EmoeToyPrompt MeanOverLatents(IReadOnlyList<EmoeToyPrompt> scored) => scored.Count == 1 ? scored[0] : scored[0] with
    {
        Eu = scored.Average(p => p.Eu), RouterEntropy = scored.Average(p => p.RouterEntropy), SeedVariance = scored.Average(p => p.SeedVariance),
        PathMeasures = scored[0].PathMeasures.Keys.ToDictionary(n => n, n => scored.Average(p => p.PathMeasures[n])),
    };

    /// <summary>AUROC of a score separating the <c>in</c> prompts from those <paramref name="isOther"/> picks (higher = other).</summary>
    private static double AurocInVersus(IReadOnlyList<EmoeToyPrompt> prompts, Func<EmoeToyPrompt, bool> isOther, Func<EmoeToyPrompt, double> score)
    {
        var sub = prompts.Where(p => p.Set == InSet || isOther(p)).ToArray();
        return Separation.Auroc(sub.Select(score).ToArray(), sub.Select(p => p.Set != InSet).ToArray());
    }

    /// <summary>The statistics of scored prompts (see <see cref="EmoeToyReport"/>).</summary>
    public static EmoeToyReport Summarize(IReadOnlyList<EmoeToyPrompt> prompts, EmoeToyOptions options)
    {
        var scores = new (string Name, Func<EmoeToyPrompt, double> Value)[]
        {
            (UncertaintyScoreNames.Eu, p => p.Eu), (UncertaintyScoreNames.RouterEntropy, p => p.RouterEntropy),
            (UncertaintyScoreNames.TokenLength, p => p.TokenLength), (UncertaintyScoreNames.SeedVariance, p => p.SeedVariance),
        }.Concat(PathDisagreements.Names.Where(n => prompts.Any(p => p.PathMeasures.ContainsKey(n)))
            .Select(n => (Name: n, Value: (Func<EmoeToyPrompt, double>)(p => p.PathMeasures.GetValueOrDefault(n, double.NaN))))).ToArray();
        var auroc = scores.ToDictionary(s => s.Name, s => AurocInVersus(prompts, p => p.OutOfDistribution, s.Value));
        var bySet = scores.ToDictionary(s => s.Name, s => (IReadOnlyDictionary<string, double>)new[] { UnseenSet, FinnishSet }
            .ToDictionary(set => set, set => AurocInVersus(prompts, p => p.Set == set, s.Value)));
        var checkedPrompts = prompts.Where(p => double.IsFinite(p.CheckerScore)).ToArray();
        var eu = checkedPrompts.Select(p => p.Eu).ToArray();
        var checkerScores = checkedPrompts.Select(p => p.CheckerScore).ToArray();
        var spearman = checkedPrompts.Length < 3 ? Interval.None : Bootstrap.Spearman(eu, checkerScores, options.BootstrapResamples, options.BootstrapSeed);
        var givenLength = checkedPrompts.Length < 3 ? Interval.None : Bootstrap.PartialSpearman(eu, checkerScores,
            checkedPrompts.Select(p => (double)p.TokenLength).ToArray(), options.BootstrapResamples, options.BootstrapSeed);
        var english = prompts.Where(p => p.Set == InSet).ToDictionary(p => p.PairIndex);
        var finnish = prompts.Where(p => p.Set == FinnishSet && english.ContainsKey(p.PairIndex)).ToArray();
        double higher = finnish.Length == 0 ? double.NaN : finnish.Count(f => f.Eu > english[f.PairIndex].Eu) / (double)finnish.Length;
        var byConcept = prompts.SelectMany(p => p.Concepts).Distinct().Order(StringComparer.Ordinal).ToDictionary(c => c, c =>
            (AurocInVersus(prompts, p => p.Concepts.Contains(c), p => p.Eu), prompts.Count(p => p.Concepts.Contains(c))));
        return new EmoeToyReport(prompts, auroc, bySet, spearman,
            checkedPrompts.Length == 0 ? double.NaN : checkedPrompts.Average(p => p.CheckerScore),
            english.Count == 0 ? double.NaN : english.Values.Average(p => p.Eu),
            finnish.Length == 0 ? double.NaN : finnish.Average(p => p.Eu), higher) { SpearmanEuCheckerGivenLength = givenLength, EuAurocByConcept = byConcept };
    }
}
