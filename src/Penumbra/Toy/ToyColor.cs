namespace Penumbra.Toy;

/// <summary>Foreground colours of the toy world (fixed RGB values in <see cref="ToyPalette"/>).</summary>
public enum ToyColor { Red, Green, Blue, Yellow, Purple, Orange, White }
