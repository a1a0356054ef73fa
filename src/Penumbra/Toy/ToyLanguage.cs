namespace Penumbra.Toy;

/// <summary>Caption language of the toy grammar.</summary>
public enum ToyLanguage { English, Finnish }
