namespace Penumbra.Schedulers;

/// <summary>
/// The numpy operations diffusers builds timestep and sigma lists with, reproduced element for element
/// (numpy 1.x semantics: <c>linspace</c>, float <c>arange</c>, half-to-even <c>round</c>, <c>interp</c>).
/// </summary>
internal static class NumpyOps
{
    /// <summary><c>np.linspace(start, stop, num)</c> in float64: <c>i * step + start</c>, the last entry exactly <paramref name="stop"/>.</summary>
    public static double[] Linspace(double start, double stop, int num)
    {
        if (num < 0) throw new ArgumentOutOfRangeException(nameof(num), num, "number of samples must be non-negative");
        var y = new double[num];
        if (num == 0) return y;
        if (num == 1) { y[0] = start; return y; }
        double step = (stop - start) / (num - 1);
        for (int i = 0; i < num; i++) y[i] = step == 0 ? i / (double)(num - 1) * (stop - start) + start : i * step + start;
        y[num - 1] = stop;
        return y;
    }

    /// <summary>
    /// Float <c>np.arange(start, stop, step)</c>: length <c>ceil((stop - start) / step)</c>, entries
    /// <c>start + i * ((start + step) - start)</c> as numpy's fill computes them.
    /// </summary>
    public static double[] Arange(double start, double stop, double step)
    {
        if (step == 0) throw new ArgumentException("arange step must not be zero", nameof(step));
        long length = (long)Math.Ceiling((stop - start) / step);
        if (length <= 0) return Array.Empty<double>();
        var y = new double[length];
        y[0] = start;
        if (length > 1)
        {
            double next = start + step;
            double delta = next - start;
            y[1] = next;
            for (long i = 2; i < length; i++) y[i] = start + i * delta;
        }
        return y;
    }

    /// <summary><c>np.round</c> with 0 decimals: round half to even.</summary>
    public static double Round(double x) => Math.Round(x, MidpointRounding.ToEven);

    public static double[] Round(double[] x) => x.Select(Round).ToArray();

    public static double[] Reverse(double[] x) => x.Reverse().ToArray();

    /// <summary>Rounds every entry to float32 and back (numpy's <c>.astype(np.float32)</c>).</summary>
    public static double[] ToFloat32(double[] x) => x.Select(v => (double)(float)v).ToArray();

    /// <summary><c>np.interp(x, xp, fp)</c> for increasing <paramref name="xp"/>: clamps to the end values outside the range.</summary>
    public static double[] Interp(double[] x, double[] xp, double[] fp)
    {
        if (xp.Length != fp.Length || xp.Length == 0) throw new ArgumentException("xp and fp must have the same non-zero length");
        var result = new double[x.Length];
        int n = xp.Length;
        for (int i = 0; i < x.Length; i++)
        {
            double v = x[i];
            if (double.IsNaN(v)) { result[i] = v; continue; }
            if (v >= xp[n - 1]) { result[i] = fp[n - 1]; continue; }
            if (v < xp[0]) { result[i] = fp[0]; continue; }
            int j = UpperBound(xp, v) - 1;
            if (v == xp[j]) { result[i] = fp[j]; continue; }
            double slope = (fp[j + 1] - fp[j]) / (xp[j + 1] - xp[j]);
            result[i] = slope * (v - xp[j]) + fp[j];
        }
        return result;
    }

    /// <summary>Index of the first element greater than <paramref name="v"/>.</summary>
    private static int UpperBound(double[] sorted, double v)
    {
        int lo = 0, hi = sorted.Length;
        while (lo < hi)
        {
            int mid = (lo + hi) >>> 1;
            if (sorted[mid] <= v) lo = mid + 1; else hi = mid;
        }
        return lo;
    }
}
