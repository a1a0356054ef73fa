namespace Penumbra.Toy;

/// <summary>
/// The toy world's geometry in unit image coordinates (x to the right, y down, both in [0,1]). A shape of half-extent
/// R centred at (cx, cy) is the set of points whose local coordinates u = (x − cx)/R, v = (y − cy)/R satisfy
/// <see cref="Contains"/>; every shape's area centroid is its centre, so the mask centroid measures the position.
/// </summary>
public static class ToyGeometry
{
    public const double SmallRadius = 0.13;
    public const double BigRadius = 0.25;

    /// <summary>Half-extent that separates small from big (geometric mean of the two radii).</summary>
    public static readonly double SizeThreshold = Math.Sqrt(SmallRadius * BigRadius);

    /// <summary>Offset of the left/right/top/bottom anchors from the image centre.</summary>
    public const double AnchorOffset = 0.22;

    private const double SquareHalf = 0.85;
    private const double CrossHalfWidth = 0.3;
    private const double RingInner = 0.5;
    private const double TriangleApex = -1.1;
    private const double TriangleBase = 0.55;

    public static double Radius(ToySize size) => size == ToySize.Small ? SmallRadius : BigRadius;

    public static (double X, double Y) Anchor(ToyPosition position) => position switch
    {
        ToyPosition.Left => (0.5 - AnchorOffset, 0.5),
        ToyPosition.Right => (0.5 + AnchorOffset, 0.5),
        ToyPosition.Top => (0.5, 0.5 - AnchorOffset),
        ToyPosition.Bottom => (0.5, 0.5 + AnchorOffset),
        ToyPosition.Centre => (0.5, 0.5),
        _ => throw new ArgumentOutOfRangeException(nameof(position), position, "unknown toy position"),
    };

    /// <summary>The anchor nearest to a point.</summary>
    public static ToyPosition NearestPosition(double x, double y) => Enum.GetValues<ToyPosition>()
        .MinBy(p => { var (ax, ay) = Anchor(p); return (ax - x) * (ax - x) + (ay - y) * (ay - y); });

    /// <summary>Whether local coordinates (u, v) lie inside the shape of half-extent 1.</summary>
    public static bool Contains(ToyShape shape, double u, double v) => shape switch
    {
        ToyShape.Circle => u * u + v * v <= 1,
        ToyShape.Square => Math.Abs(u) <= SquareHalf && Math.Abs(v) <= SquareHalf,
        ToyShape.Triangle => v <= TriangleBase && v >= TriangleApex
            && Math.Abs(u) <= (v - TriangleApex) / (TriangleBase - TriangleApex),
        ToyShape.Cross => (Math.Abs(u) <= CrossHalfWidth && Math.Abs(v) <= 1) || (Math.Abs(v) <= CrossHalfWidth && Math.Abs(u) <= 1),
        ToyShape.Ring => u * u + v * v <= 1 && u * u + v * v >= RingInner * RingInner,
        _ => throw new ArgumentOutOfRangeException(nameof(shape), shape, "unknown toy shape"),
    };

    /// <summary>Area of the shape of half-extent 1 (so the area of a shape of half-extent R is <c>Fill · R²</c>).</summary>
    public static double Fill(ToyShape shape) => shape switch
    {
        ToyShape.Circle => Math.PI,
        ToyShape.Square => 4 * SquareHalf * SquareHalf,
        ToyShape.Triangle => (TriangleBase - TriangleApex) * 1.0,
        ToyShape.Cross => 2 * (2 * CrossHalfWidth * 2) - 4 * CrossHalfWidth * CrossHalfWidth,
        ToyShape.Ring => Math.PI * (1 - RingInner * RingInner),
        _ => throw new ArgumentOutOfRangeException(nameof(shape), shape, "unknown toy shape"),
    };
}
