using System.CommandLine;
using Penumbra.Uncertainty;

namespace Penumbra.Cli.Commands;

/// <summary>The EMoE estimator options shared by <c>uncertainty</c> and <c>uncertainty evaluate-toy</c>.</summary>
internal sealed class EmoeScoreOptions
{
    private readonly Option<string> _mode = new("--mode") { Description = "Downstream routing of the paths: expert (pinned) or routed (normal gating per path)", DefaultValueFactory = _ => "expert" };
    private readonly Option<string> _latent = new("--latent") { Description = "Latent whose variance is EU: m_post (mid-block output, default), m_pre (mid-block input) or z (after one scheduler step)", DefaultValueFactory = _ => "m_post" };
    private readonly Option<int> _step = new("--step-index") { Description = "Schedule step EU is taken at (0 = first); earlier steps follow the prompt's normal trajectory", DefaultValueFactory = _ => 0 };
    private readonly Option<int?> _height = new("--height") { Description = "Image height the score (and image) is taken at (default: the model's)" };
    private readonly Option<int?> _width = new("--width") { Description = "Image width the score (and image) is taken at (default: the model's)" };
    private readonly Option<double> _guidance = new("--score-guidance") { Description = "Guidance of the steps before --step-index and of z's noise predictions (1 = off, the spec's default)", DefaultValueFactory = _ => 1.0 };

    public void AddTo(Command command)
    {
        foreach (var o in new Option[] { _mode, _latent, _step, _guidance, _height, _width }) command.Options.Add(o);
    }

    public EmoeOptions Read(ParseResult pr, long seed, int steps)
    {
        int step = pr.GetValue(_step);
        if (step < 0 || step >= steps) throw new ArgumentException($"--step-index {step}: must be 0..{steps - 1} for a {steps}-step schedule");
        double guidance = pr.GetValue(_guidance);
        if (!(guidance >= 1)) throw new ArgumentException($"--score-guidance {guidance}: must be >= 1");
        return new EmoeOptions
        {
            Mode = ParseMode(pr.GetValue(_mode)!), Latent = ParseLatent(pr.GetValue(_latent)!), StepIndex = step, GuidanceScale = guidance,
            Seed = seed, NumInferenceSteps = steps, Height = Positive(pr.GetValue(_height), "--height"), Width = Positive(pr.GetValue(_width), "--width"),
        };
    }

    private static int? Positive(int? value, string option) =>
        value is null or > 0 ? value : throw new ArgumentException($"{option} {value}: must be a positive multiple of 8");

    internal static EmoeMode ParseMode(string text) => text.ToLowerInvariant() switch
    {
        "expert" => EmoeMode.Expert,
        "routed" => EmoeMode.Routed,
        _ => throw new ArgumentException($"--mode '{text}': expected expert or routed"),
    };

    internal static EmoeLatent ParseLatent(string text) =>
        EmoeOptions.ParseLatent(text) ?? throw new ArgumentException($"--latent '{text}': expected m_post, m_pre or z");
}
