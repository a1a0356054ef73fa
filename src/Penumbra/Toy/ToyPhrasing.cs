namespace Penumbra.Toy;

/// <summary>
/// Caption templates of the toy grammar (the same four in every language; optional attributes are left out):
/// <list type="bullet">
/// <item><see cref="Plain"/>: "a big red circle on the left on a black background" / "iso punainen ympyrä vasemmalla mustalla taustalla"</item>
/// <item><see cref="Telegraphic"/>: "big red circle, left, black background" / "iso punainen ympyrä, vasemmalla, musta tausta"</item>
/// <item><see cref="Picture"/>: "a picture of a big red circle on the left" / "kuva, jossa on iso punainen ympyrä vasemmalla"</item>
/// <item><see cref="PositionFirst"/>: "on the left there is a big red circle" / "vasemmalla on iso punainen ympyrä"
/// (needs a position; without one it is written as <see cref="Plain"/>)</item>
/// </list>
/// </summary>
public enum ToyPhrasing { Plain, Telegraphic, Picture, PositionFirst }
