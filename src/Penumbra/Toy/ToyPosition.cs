namespace Penumbra.Toy;

/// <summary>Where the shape sits: one of five anchor points (<see cref="ToyGeometry.Anchor"/>).</summary>
public enum ToyPosition { Left, Right, Top, Bottom, Centre }
