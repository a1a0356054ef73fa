using System.Globalization;

namespace Penumbra.Quality;

/// <summary>
/// The mid-block bypass strength g as a pure function of the sampling step k = 0..N−1 (k = 0 is the noisiest step) and
/// the step count N. With u = k / N (the fraction of the run already done):
/// <list type="bullet">
/// <item><c>const:G</c>: g = G.</item>
/// <item><c>window:G@F0-F1</c>: g = G for F0 ≤ u &lt; F1, else 1.</item>
/// <item><c>ramp:A->B@F0-F1</c>: g = A + (B − A)·(u − F0) / (F1 − F0) for F0 ≤ u &lt; F1, else 1; <c>ramp:A->B</c> is the
/// window 0-1. <c>ramp:0.5->1@0-0.3</c> is the method note's default g(k) = g_min + (1 − g_min)·min(1, k / (ρN)).</item>
/// </list>
/// A suffix <c>;scale</c> selects <see cref="BypassRule.Scale"/> (default <c>;interpolate</c>). <c>none</c> is const:1.
/// Values of g lie in [0, 2]; window fractions satisfy 0 ≤ F0 &lt; F1 ≤ 1.
/// </summary>
public sealed record BypassSchedule(BypassFamily Family, double Start, double End, double WindowStart, double WindowEnd,
    BypassRule Rule = BypassRule.Interpolate)
{
    public const double MaxStrength = 2.0;

    /// <summary>g ≡ 1 with the interpolating rule: the plain model.</summary>
    public static BypassSchedule Identity { get; } = Constant(1.0);

    public static BypassSchedule Constant(double g, BypassRule rule = BypassRule.Interpolate) => new(BypassFamily.Constant, g, g, 0, 1, rule);

    public static BypassSchedule Window(double g, double from, double to, BypassRule rule = BypassRule.Interpolate) =>
        new(BypassFamily.Window, g, g, from, to, rule);

    public static BypassSchedule Ramp(double start, double end, double from = 0, double to = 1, BypassRule rule = BypassRule.Interpolate) =>
        new(BypassFamily.Ramp, start, end, from, to, rule);

    /// <summary>True when every step runs the unmodified mid block (interpolating rule, g = 1 wherever it applies).</summary>
    public bool IsIdentity => Rule == BypassRule.Interpolate && Start == 1.0 && End == 1.0;

    /// <summary>g at step <paramref name="step"/> of <paramref name="totalSteps"/>.</summary>
    public double At(int step, int totalSteps)
    {
        if (totalSteps < 1) throw new ArgumentOutOfRangeException(nameof(totalSteps), totalSteps, "the step count must be at least 1");
        if (step < 0 || step >= totalSteps) throw new ArgumentOutOfRangeException(nameof(step), step, $"step must lie in [0, {totalSteps - 1}]");
        if (Family == BypassFamily.Constant) return Start;
        double u = (double)step / totalSteps;
        if (u < WindowStart || u >= WindowEnd) return 1.0;
        return Family == BypassFamily.Window ? Start : Start + (End - Start) * (u - WindowStart) / (WindowEnd - WindowStart);
    }

    /// <summary>The canonical spec string (what <see cref="Parse"/> reads back).</summary>
    public override string ToString()
    {
        static string F(double v) => v.ToString("0.###", CultureInfo.InvariantCulture);
        string window = $"@{F(WindowStart)}-{F(WindowEnd)}";
        string body = Family switch
        {
            BypassFamily.Constant => $"const:{F(Start)}",
            BypassFamily.Window => $"window:{F(Start)}{window}",
            _ => $"ramp:{F(Start)}->{F(End)}" + (WindowStart == 0 && WindowEnd == 1 ? "" : window),
        };
        return Rule == BypassRule.Scale ? body + ";scale" : body;
    }

    /// <summary>Parses a spec such as <c>const:0.8</c>, <c>ramp:0.5->1.0</c>, <c>ramp:0.5->1@0-0.3</c>,
    /// <c>window:0.7@0-0.3</c>, <c>const:0.9;scale</c> or <c>none</c>; anything else throws one <see cref="ArgumentException"/>
    /// naming the spec and what is wrong.</summary>
    public static BypassSchedule Parse(string spec)
    {
        if (string.IsNullOrWhiteSpace(spec)) throw Bad(spec ?? "", "it is empty");
        string text = spec.Trim();
        var rule = BypassRule.Interpolate;
        int semi = text.IndexOf(';');
        if (semi >= 0)
        {
            string ruleText = text[(semi + 1)..].Trim().ToLowerInvariant();
            rule = ruleText switch
            {
                "scale" => BypassRule.Scale,
                "interpolate" => BypassRule.Interpolate,
                _ => throw Bad(spec, $"unknown rule '{ruleText}' (use ;interpolate or ;scale)"),
            };
            text = text[..semi].Trim();
        }
        if (text.Equals("none", StringComparison.OrdinalIgnoreCase)) return Constant(1.0, rule);
        int colon = text.IndexOf(':');
        if (colon < 0) throw Bad(spec, "missing 'family:' (const, ramp or window)");
        string family = text[..colon].Trim().ToLowerInvariant(), args = text[(colon + 1)..].Trim();
        return family switch
        {
            "const" or "constant" => Constant(Strength(spec, args), rule),
            "window" => ParseWindow(spec, args, rule),
            "ramp" => ParseRamp(spec, args, rule),
            _ => throw Bad(spec, $"unknown family '{family}' (use const, ramp or window)"),
        };
    }

    private static BypassSchedule ParseWindow(string spec, string args, BypassRule rule)
    {
        int at = args.IndexOf('@');
        if (at < 0) throw Bad(spec, "a window needs '@F0-F1', e.g. window:0.7@0-0.3");
        var (from, to) = Fractions(spec, args[(at + 1)..]);
        return Window(Strength(spec, args[..at]), from, to, rule);
    }

    private static BypassSchedule ParseRamp(string spec, string args, BypassRule rule)
    {
        int at = args.IndexOf('@');
        var (from, to) = at < 0 ? (0.0, 1.0) : Fractions(spec, args[(at + 1)..]);
        string values = at < 0 ? args : args[..at];
        int arrow = values.IndexOf("->", StringComparison.Ordinal);
        if (arrow < 0) throw Bad(spec, "a ramp needs 'A->B', e.g. ramp:0.5->1.0");
        return Ramp(Strength(spec, values[..arrow]), Strength(spec, values[(arrow + 2)..]), from, to, rule);
    }

    private static (double From, double To) Fractions(string spec, string text)
    {
        int dash = text.IndexOf('-', 1);
        if (dash < 0) throw Bad(spec, $"window '{text}' must be F0-F1 with 0 <= F0 < F1 <= 1");
        double from = Number(spec, text[..dash], "window start"), to = Number(spec, text[(dash + 1)..], "window end");
        if (!(from >= 0 && from < to && to <= 1)) throw Bad(spec, $"window '{text}' must satisfy 0 <= F0 < F1 <= 1");
        return (from, to);
    }

    private static double Strength(string spec, string text)
    {
        double g = Number(spec, text, "strength");
        if (!(g >= 0 && g <= MaxStrength)) throw Bad(spec, $"strength {g.ToString(CultureInfo.InvariantCulture)} must lie in [0, {MaxStrength}]");
        return g;
    }

    private static double Number(string spec, string text, string what) =>
        double.TryParse(text.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out double v) && double.IsFinite(v)
            ? v : throw Bad(spec, $"{what} '{text.Trim()}' is not a number");

    private static ArgumentException Bad(string spec, string reason) =>
        new($"mid-block bypass schedule '{spec}': {reason}; expected const:G, ramp:A->B[@F0-F1] or window:G@F0-F1 " +
            "(G, A, B in [0, 2], 0 <= F0 < F1 <= 1), optionally followed by ;scale");
}
