namespace Penumbra.Toy;

/// <summary>The shapes of the toy world; the order is the class index of the toy shape classifier.</summary>
public enum ToyShape { Circle, Square, Triangle, Cross, Ring }
