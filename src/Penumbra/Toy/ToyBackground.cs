namespace Penumbra.Toy;

/// <summary>Uniform background colour (no foreground colour is black or gray, so the words never clash).</summary>
public enum ToyBackground { Black, Gray }
