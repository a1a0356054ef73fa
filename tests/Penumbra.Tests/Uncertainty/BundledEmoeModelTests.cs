using Penumbra.MoE;
using Penumbra.Tests.Support;
using Penumbra.Toy.Models;
using Penumbra.Uncertainty;
using Xunit.Abstractions;

namespace Penumbra.Tests.Uncertainty;

/// <summary>
/// The bundled EMoE model (<c>models/toy-segmoe-colours</c>, experts that each miss one colour) keeps doing what the README
/// reports for it: read at the mid block's output (m_post, the default) or at the output of the first step (z), its EU
/// ranks prompts that state a colour some expert never saw, and Finnish prompts, above English prompts every expert saw,
/// better than router entropy and token length do on the same prompts. A small prompt sample, so the bound is looser
/// than the README's 300-prompt figures.
/// </summary>
[Collection(nameof(GlobalRngCollection))]
public class BundledEmoeModelTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData(EmoeLatent.MPost)]
    [InlineData(EmoeLatent.Z)]
    public void EuOfTheBundledColourMixtureSeparatesWhatItsExpertsDidNotSee(EmoeLatent latent)
    {
        string folder = Path.Combine(Fixtures.RepoRoot, "models", "toy-segmoe-colours");
        using var moe = SegMoePipeline.FromPretrained(folder);
        var set = ToyExpertSet.RecordedIn(moe.Model.Config);
        Assert.Same(ToyExpertSet.Colours, set);

        var report = EmoeToyEvaluation.Run(moe, new EmoeToyOptions
        {
            PromptsPerSet = 16, DataSeed = 11, CheckImages = false, ExpertSet = set!, Emoe = new EmoeOptions { Latent = latent },
        });

        double eu = report.Auroc["eu"], entropy = report.Auroc["router_entropy"], length = report.Auroc["token_length"];
        output.WriteLine($"{latent}, in vs out: EU {eu:F3}, router entropy {entropy:F3}, token length {length:F3}; Finnish higher in {report.FinnishHigherFraction:P0}");
        Assert.True(eu >= 0.8, $"AUROC of EU in vs out {eu:F3}");
        Assert.True(eu > entropy + 0.1 && eu > length + 0.1, $"EU {eu:F3}, router entropy {entropy:F3}, token length {length:F3}");
        Assert.True(report.MeanEuFinnish > report.MeanEuEnglish, $"mean EU Finnish {report.MeanEuFinnish:E3}, English {report.MeanEuEnglish:E3}");
    }
}
