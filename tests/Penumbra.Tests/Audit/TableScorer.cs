using Penumbra.Audit;
using Penumbra.Imaging;

namespace Penumbra.Tests.Audit;

/// <summary>Test-only scorer: scores are given per prompt text (eu = table value, quality image metric = 1 - eu),
/// plus the seed, so tests know every number that lands in the database.</summary>
public sealed class TableScorer(IReadOnlyDictionary<string, double> eu, string version = "1") : IPromptScorer
{
    public int Calls { get; private set; }

    public IReadOnlyDictionary<string, string> Settings { get; } = new Dictionary<string, string> { ["name"] = "table", ["version"] = version };

    public IReadOnlyDictionary<string, IReadOnlyList<string>> AttributeClasses { get; } =
        new Dictionary<string, IReadOnlyList<string>> { ["gender"] = new[] { "man", "woman" } };

    public IReadOnlyList<ScoringResult> Score(IReadOnlyList<ScoringRequest> batch, CancellationToken cancellationToken)
    {
        Calls++;
        return batch.Select(r => new ScoringResult(
            new Dictionary<string, double> { ["eu"] = eu[r.Prompt.Text], ["seed_echo"] = r.Seed },
            Enumerable.Range(0, r.Images).Select(k => new ImageResult(
                new Dictionary<string, double> { ["quality"] = 1 - eu[r.Prompt.Text] },
                new Dictionary<string, string> { ["gender"] = k % 2 == 0 ? "man" : "woman" },
                new RgbImage(2, 2, Enumerable.Repeat((byte)(k * 40), 12).ToArray()))).ToList())).ToList();
    }

    public void Dispose() { }
}
