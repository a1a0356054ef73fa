using MathNet.Numerics.LinearAlgebra;

namespace Penumbra.Quality;

/// <summary>
/// Fréchet distance between Gaussians fitted to two feature sets (the FID formula): ‖μ₁ − μ₂‖² + tr Σ₁ + tr Σ₂ −
/// 2 tr (Σ₁^½ Σ₂ Σ₁^½)^½, with unbiased covariances (divisor n − 1, as numpy's <c>cov</c>). The trace of the matrix
/// square root is computed from symmetric eigendecompositions (MathNet), negative round-off eigenvalues clamped to 0;
/// tr (Σ₁^½ Σ₂ Σ₁^½)^½ equals pytorch-fid's tr sqrtm(Σ₁Σ₂) (the two matrices are similar).
/// </summary>
public static class FrechetDistance
{
    public static double Compute(IReadOnlyList<double[]> a, IReadOnlyList<double[]> b) => Compute(Fit(a), Fit(b));

    public static double Compute((Vector<double> Mean, Matrix<double> Cov) a, (Vector<double> Mean, Matrix<double> Cov) b)
    {
        if (a.Mean.Count != b.Mean.Count) throw new ArgumentException($"feature sizes differ: {a.Mean.Count} vs {b.Mean.Count}");
        var diff = a.Mean - b.Mean;
        var rootA = SymmetricSqrt(a.Cov);
        var middle = rootA * b.Cov * rootA;
        middle = (middle + middle.Transpose()) * 0.5;
        double traceRoot = middle.Evd(Symmetricity.Symmetric).EigenValues.Sum(l => Math.Sqrt(Math.Max(0, l.Real)));
        return diff.DotProduct(diff) + a.Cov.Trace() + b.Cov.Trace() - 2 * traceRoot;
    }

    /// <summary>Mean and unbiased covariance of the rows (at least two, all of one length).</summary>
    public static (Vector<double> Mean, Matrix<double> Cov) Fit(IReadOnlyList<double[]> rows)
    {
        if (rows.Count < 2) throw new ArgumentException($"a Fréchet distance needs at least 2 feature vectors, got {rows.Count}");
        int d = rows[0].Length;
        if (rows.Any(r => r.Length != d)) throw new ArgumentException("feature vectors of different lengths");
        var x = Matrix<double>.Build.DenseOfRowArrays(rows);
        var mean = x.ColumnSums() / rows.Count;
        var centred = x - Matrix<double>.Build.Dense(rows.Count, d, (_, j) => mean[j]);
        return (mean, centred.TransposeThisAndMultiply(centred) / (rows.Count - 1));
    }

    private static Matrix<double> SymmetricSqrt(Matrix<double> m)
    {
        var evd = ((m + m.Transpose()) * 0.5).Evd(Symmetricity.Symmetric);
        var roots = Vector<double>.Build.Dense(evd.EigenValues.Count, i => Math.Sqrt(Math.Max(0, evd.EigenValues[i].Real)));
        return evd.EigenVectors * Matrix<double>.Build.DenseOfDiagonalVector(roots) * evd.EigenVectors.Transpose();
    }
}
