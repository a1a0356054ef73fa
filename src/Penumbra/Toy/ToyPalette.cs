namespace Penumbra.Toy;

/// <summary>The fixed RGB values of the toy world's foreground colours and backgrounds.</summary>
public static class ToyPalette
{
    public static (byte R, byte G, byte B) Rgb(ToyColor color) => color switch
    {
        ToyColor.Red => (230, 25, 25),
        ToyColor.Green => (30, 190, 40),
        ToyColor.Blue => (30, 60, 230),
        ToyColor.Yellow => (240, 220, 30),
        ToyColor.Purple => (150, 40, 200),
        ToyColor.Orange => (250, 140, 20),
        ToyColor.White => (245, 245, 245),
        _ => throw new ArgumentOutOfRangeException(nameof(color), color, "unknown toy colour"),
    };

    public static (byte R, byte G, byte B) Rgb(ToyBackground background) => background switch
    {
        ToyBackground.Black => (0, 0, 0),
        ToyBackground.Gray => (110, 110, 110),
        _ => throw new ArgumentOutOfRangeException(nameof(background), background, "unknown toy background"),
    };

    /// <summary>The palette colour nearest to an RGB value (Euclidean distance in RGB).</summary>
    public static ToyColor NearestColor(double r, double g, double b) =>
        Enum.GetValues<ToyColor>().MinBy(c => Distance2(Rgb(c), r, g, b));

    /// <summary>The background colour nearest to an RGB value.</summary>
    public static ToyBackground NearestBackground(double r, double g, double b) =>
        Enum.GetValues<ToyBackground>().MinBy(c => Distance2(Rgb(c), r, g, b));

    private static double Distance2((byte R, byte G, byte B) c, double r, double g, double b) =>
        (c.R - r) * (c.R - r) + (c.G - g) * (c.G - g) + (c.B - b) * (c.B - b);
}
