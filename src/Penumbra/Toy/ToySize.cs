namespace Penumbra.Toy;

/// <summary>Shape size: half-extent <see cref="ToyGeometry.SmallRadius"/> or <see cref="ToyGeometry.BigRadius"/>.</summary>
public enum ToySize { Small, Big }
