using Penumbra.Imaging;
using Penumbra.Toy;

namespace Penumbra.Tests.Toy;

public class ToyGrammarTests
{
    public static IEnumerable<ToyPrompt> AllPrompts()
    {
        foreach (var shape in Enum.GetValues<ToyShape>())
            foreach (var color in Enum.GetValues<ToyColor>().Select(c => (ToyColor?)c).Append(null))
                foreach (var position in Enum.GetValues<ToyPosition>().Select(c => (ToyPosition?)c).Append(null))
                    foreach (var size in Enum.GetValues<ToySize>().Select(c => (ToySize?)c).Append(null))
                        foreach (var background in Enum.GetValues<ToyBackground>().Select(c => (ToyBackground?)c).Append(null))
                            yield return new ToyPrompt(shape, color, position, size, background);
    }

    [Theory]
    [InlineData(ToyLanguage.English)]
    [InlineData(ToyLanguage.Finnish)]
    public void EveryPhrasingOfEveryAttributeSetParsesBack(ToyLanguage language)
    {
        int count = 0;
        foreach (var prompt in AllPrompts())
            foreach (var phrasing in Enum.GetValues<ToyPhrasing>())
            {
                string caption = ToyCaptions.Write(prompt, phrasing, language);
                var parsed = ToyCaptionParser.Parse(caption);
                Assert.True(parsed.SameAttributes(prompt), $"\"{caption}\" parsed as {parsed}");
                Assert.Empty(parsed.UnknownWords);
                count++;
            }
        Assert.Equal(5 * 8 * 6 * 3 * 3 * 4, count);
    }

    [Theory]
    [InlineData(ToyPhrasing.Plain, ToyLanguage.English, "a big red circle on the left on a black background")]
    [InlineData(ToyPhrasing.Telegraphic, ToyLanguage.English, "big red circle, left, black background")]
    [InlineData(ToyPhrasing.Picture, ToyLanguage.English, "a picture of a big red circle on the left on a black background")]
    [InlineData(ToyPhrasing.PositionFirst, ToyLanguage.English, "on the left there is a big red circle on a black background")]
    [InlineData(ToyPhrasing.Plain, ToyLanguage.Finnish, "iso punainen ympyrä vasemmalla mustalla taustalla")]
    [InlineData(ToyPhrasing.Telegraphic, ToyLanguage.Finnish, "iso punainen ympyrä, vasemmalla, musta tausta")]
    [InlineData(ToyPhrasing.Picture, ToyLanguage.Finnish, "kuva, jossa on iso punainen ympyrä vasemmalla mustalla taustalla")]
    [InlineData(ToyPhrasing.PositionFirst, ToyLanguage.Finnish, "vasemmalla on iso punainen ympyrä mustalla taustalla")]
    public void CaptionsReadAsWrittenOut(ToyPhrasing phrasing, ToyLanguage language, string expected)
    {
        var prompt = new ToyPrompt(ToyShape.Circle, ToyColor.Red, ToyPosition.Left, ToySize.Big, ToyBackground.Black);
        Assert.Equal(expected, ToyCaptions.Write(prompt, phrasing, language));
    }

    [Theory]
    [InlineData("a red circle", ToyShape.Circle, ToyColor.Red, null, null, null)]
    [InlineData("small blue square, top", ToyShape.Square, ToyColor.Blue, ToyPosition.Top, ToySize.Small, null)]
    [InlineData("an orange triangle at the bottom", ToyShape.Triangle, ToyColor.Orange, ToyPosition.Bottom, null, null)]
    [InlineData("A LARGE white cross in the center on a grey background.", ToyShape.Cross, ToyColor.White, ToyPosition.Centre, ToySize.Big, ToyBackground.Gray)]
    [InlineData("ring in the middle", ToyShape.Ring, null, ToyPosition.Centre, null, null)]
    [InlineData("pieni vihreä kolmio keskellä harmaalla taustalla", ToyShape.Triangle, ToyColor.Green, ToyPosition.Centre, ToySize.Small, ToyBackground.Gray)]
    [InlineData("Oikealla on keltainen risti", ToyShape.Cross, ToyColor.Yellow, ToyPosition.Right, null, null)]
    [InlineData("suuri violetti rengas, alhaalla", ToyShape.Ring, ToyColor.Purple, ToyPosition.Bottom, ToySize.Big, null)]
    [InlineData("valkoinen neliö ylhäällä, harmaa tausta", ToyShape.Square, ToyColor.White, ToyPosition.Top, null, ToyBackground.Gray)]
    [InlineData("sininen ympyrä, oranssi", null, null, null, null, null)]
    public void HandWrittenCaptionsParse(string caption, ToyShape? shape, ToyColor? color, ToyPosition? position, ToySize? size, ToyBackground? background)
    {
        if (caption.Contains("oranssi"))
        {
            var ex = Assert.Throws<FormatException>(() => ToyCaptionParser.Parse(caption));
            Assert.Contains(caption, ex.Message);
            Assert.False(ToyCaptionParser.TryParse(caption, out _, out var error));
            Assert.Contains("color", error);
            return;
        }
        var parsed = ToyCaptionParser.Parse(caption);
        Assert.True(parsed.SameAttributes(new ToyPrompt(shape, color, position, size, background)), parsed.ToString());
        Assert.Empty(parsed.UnknownWords);
    }

    [Fact]
    public void WordsOutsideTheGrammarAreReportedAsUnknown()
    {
        var parsed = ToyCaptionParser.Parse("a red hexagon next to a tree");
        Assert.Equal(ToyColor.Red, parsed.Color);
        Assert.Null(parsed.Shape);
        Assert.Equal(new[] { "hexagon", "next", "to", "tree" }, parsed.UnknownWords);
        Assert.Equal(1, parsed.StatedCount);
    }

    [Fact]
    public void FinnishWordsAreTheListedForms()
    {
        Assert.Equal(new[] { "punainen", "vihreä", "sininen", "keltainen", "violetti", "oranssi", "valkoinen" },
            Enum.GetValues<ToyColor>().Select(c => ToyVocabulary.Word(c, ToyLanguage.Finnish)));
        Assert.Equal(new[] { "ympyrä", "neliö", "kolmio", "risti", "rengas" },
            Enum.GetValues<ToyShape>().Select(c => ToyVocabulary.Word(c, ToyLanguage.Finnish)));
        Assert.Equal(new[] { "vasemmalla", "oikealla", "ylhäällä", "alhaalla", "keskellä" },
            Enum.GetValues<ToyPosition>().Select(c => ToyVocabulary.Word(c, ToyLanguage.Finnish)));
        Assert.Equal(new[] { "pieni", "iso" }, Enum.GetValues<ToySize>().Select(c => ToyVocabulary.Word(c, ToyLanguage.Finnish)));
        Assert.Equal(new[] { "musta tausta", "harmaa tausta" }, Enum.GetValues<ToyBackground>().Select(c => ToyVocabulary.Label(c, ToyLanguage.Finnish)));
        Assert.Equal(new[] { "mustalla taustalla", "harmaalla taustalla" }, Enum.GetValues<ToyBackground>().Select(c => ToyVocabulary.Phrase(c, ToyLanguage.Finnish)));
    }

    [Fact]
    public void PositionFirstWithoutAPositionFallsBackToPlain()
    {
        var prompt = new ToyPrompt(ToyShape.Ring, ToyColor.Orange);
        Assert.Equal("an orange ring", ToyCaptions.Write(prompt, ToyPhrasing.PositionFirst, ToyLanguage.English));
        Assert.Equal("oranssi rengas", ToyCaptions.Write(prompt, ToyPhrasing.PositionFirst, ToyLanguage.Finnish));
    }

    [Fact]
    public void ACaptionWithoutAShapeSaysShapeAndParsesBackToNoShape()
    {
        var prompt = new ToyPrompt(Color: ToyColor.Red, Position: ToyPosition.Left);
        Assert.Equal("a red shape on the left", ToyCaptions.Write(prompt, ToyPhrasing.Plain, ToyLanguage.English));
        Assert.Equal("red shape, left", ToyCaptions.Write(prompt, ToyPhrasing.Telegraphic, ToyLanguage.English));
        Assert.Equal("on the left there is a red shape", ToyCaptions.Write(prompt, ToyPhrasing.PositionFirst, ToyLanguage.English));
        Assert.Equal("punainen muoto vasemmalla", ToyCaptions.Write(prompt, ToyPhrasing.Plain, ToyLanguage.Finnish));
        Assert.Equal("an orange shape", ToyCaptions.Write(new ToyPrompt(Color: ToyColor.Orange), ToyPhrasing.Plain, ToyLanguage.English));
        foreach (var caption in new[] { "a red shape on the left", "punainen muoto vasemmalla" })
        {
            var parsed = ToyCaptionParser.Parse(caption);
            Assert.True(parsed.SameAttributes(prompt), caption);
            Assert.Empty(parsed.UnknownWords);
        }
    }
}
