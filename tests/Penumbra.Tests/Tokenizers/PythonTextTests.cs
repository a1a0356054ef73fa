using Penumbra.Tokenizers;

namespace Penumbra.Tests.Tokenizers;

/// <summary>The Python and ftfy behaviours the tokenizer's cleaning reproduces; expected values are what CPython 3.11
/// (<c>html.unescape</c>, <c>str.lower</c>) and ftfy 6 (<c>fix_text</c>) return for these inputs.</summary>
public class PythonTextTests
{
    [Theory]
    [InlineData("&amp;", "&")]
    [InlineData("&amp", "&")]
    [InlineData("&ampx", "&x")]
    [InlineData("&AMP;", "&")]
    [InlineData("&#x41;&#66;", "AB")]
    [InlineData("&#128;", "\u20ac")]
    [InlineData("&#0;", "\ufffd")]
    [InlineData("&#xD800;", "\ufffd")]
    [InlineData("&#1114112;", "\ufffd")]
    [InlineData("&#1;", "")]
    [InlineData("&notin;", "\u2209")]
    [InlineData("&notit;", "\u00acit;")]
    [InlineData("&bogus;", "&bogus;")]
    [InlineData("&#39;a&#39", "'a'")]
    public void HtmlUnescapeIsPythons(string text, string expected) => Assert.Equal(expected, PythonText.HtmlUnescape(text));

    [Theory]
    [InlineData("ΟΔΟΣ ΑΘΗΝΑΣ", "οδος αθηνας")]
    [InlineData("Σ", "σ")]
    [InlineData("ΑΣ.", "ας.")]
    [InlineData("ΑΣΑ", "ασα")]
    [InlineData("İ", "i\u0307")]
    [InlineData("ÄÖÜ ẞ", "äöü ß")]
    public void LowerIsPythons(string text, string expected) => Assert.Equal(expected, PythonText.Lower(text));

    [Theory]
    [InlineData("caf\u00c3\u00a9", "café")]
    [InlineData("don\u00e2\u20ac\u2122t", "don't")]
    [InlineData("\u201cquoted\u201d", "\"quoted\"")]
    [InlineData("\ufb01ne", "fine")]
    [InlineData("\uff21\uff22\uff23\u3000x", "ABC x")]
    [InlineData("a\r\nb\rc", "a\nb\nc")]
    [InlineData("e\u0301", "é")]
    [InlineData("Crème brûlée", "Crème brûlée")]
    [InlineData("x\u0000y\ufeff", "xy")]
    public void FixTextMatchesFtfy(string text, string expected) => Assert.Equal(expected, TextFixer.FixText(text));

    [Fact]
    public void WhitespaceCollapsesLikePython()
    {
        Assert.Equal("a b c", PythonText.CollapseWhitespace("  a\t\n b\u3000\u00a0c \u001f"));
        Assert.Equal("", PythonText.CollapseWhitespace(" \t "));
    }
}
