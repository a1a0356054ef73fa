using System.Globalization;

namespace Penumbra.Reports;

/// <summary>An estimate with a confidence interval (NaN bounds when none could be formed).</summary>
public readonly record struct Interval(double Estimate, double Lower, double Upper)
{
    /// <summary>No estimate and no interval (too few values, or no quality metric).</summary>
    public static readonly Interval None = new(double.NaN, double.NaN, double.NaN);

    public override string ToString() => Format(3);

    public string Format(int digits)
    {
        string f(double v) => double.IsNaN(v) ? "n/a" : v.ToString("F" + digits, CultureInfo.InvariantCulture);
        return double.IsNaN(Lower) ? f(Estimate) : $"{f(Estimate)} [{f(Lower)}, {f(Upper)}]";
    }
}
