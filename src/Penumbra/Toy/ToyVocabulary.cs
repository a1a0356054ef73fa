namespace Penumbra.Toy;

/// <summary>
/// The words of the toy grammar. English and Finnish attribute words (Finnish in the nominative; positions are
/// adverbs; the background is adessive "mustalla/harmaalla taustalla" in running text and nominative "musta/harmaa
/// tausta" in telegraphic captions), plus the synonyms and function words the parser accepts.
/// </summary>
public static class ToyVocabulary
{
    public static string Word(ToyShape shape, ToyLanguage language) => language == ToyLanguage.English
        ? shape switch { ToyShape.Circle => "circle", ToyShape.Square => "square", ToyShape.Triangle => "triangle", ToyShape.Cross => "cross", _ => "ring" }
        : shape switch { ToyShape.Circle => "ympyrä", ToyShape.Square => "neliö", ToyShape.Triangle => "kolmio", ToyShape.Cross => "risti", _ => "rengas" };

    public static string Word(ToyColor color, ToyLanguage language) => language == ToyLanguage.English
        ? color switch
        {
            ToyColor.Red => "red", ToyColor.Green => "green", ToyColor.Blue => "blue", ToyColor.Yellow => "yellow",
            ToyColor.Purple => "purple", ToyColor.Orange => "orange", _ => "white",
        }
        : color switch
        {
            ToyColor.Red => "punainen", ToyColor.Green => "vihreä", ToyColor.Blue => "sininen", ToyColor.Yellow => "keltainen",
            ToyColor.Purple => "violetti", ToyColor.Orange => "oranssi", _ => "valkoinen",
        };

    /// <summary>The bare position word: "left", "top", "centre" / the Finnish adverb "vasemmalla", "ylhäällä", "keskellä".</summary>
    public static string Word(ToyPosition position, ToyLanguage language) => language == ToyLanguage.English
        ? position switch { ToyPosition.Left => "left", ToyPosition.Right => "right", ToyPosition.Top => "top", ToyPosition.Bottom => "bottom", _ => "centre" }
        : position switch
        {
            ToyPosition.Left => "vasemmalla", ToyPosition.Right => "oikealla", ToyPosition.Top => "ylhäällä",
            ToyPosition.Bottom => "alhaalla", _ => "keskellä",
        };

    /// <summary>The adverbial position phrase: "on the left", "at the top", "in the centre" (Finnish: the adverb).</summary>
    public static string Phrase(ToyPosition position, ToyLanguage language) => language == ToyLanguage.Finnish
        ? Word(position, language)
        : position switch
        {
            ToyPosition.Left or ToyPosition.Right => $"on the {Word(position, language)}",
            ToyPosition.Top or ToyPosition.Bottom => $"at the {Word(position, language)}",
            _ => "in the centre",
        };

    public static string Word(ToySize size, ToyLanguage language) => language == ToyLanguage.English
        ? (size == ToySize.Small ? "small" : "big")
        : (size == ToySize.Small ? "pieni" : "iso");

    /// <summary>The background adjective: "black"/"gray", Finnish nominative "musta"/"harmaa".</summary>
    public static string Word(ToyBackground background, ToyLanguage language) => language == ToyLanguage.English
        ? (background == ToyBackground.Black ? "black" : "gray")
        : (background == ToyBackground.Black ? "musta" : "harmaa");

    /// <summary>"on a black background" / "mustalla taustalla".</summary>
    public static string Phrase(ToyBackground background, ToyLanguage language) => language == ToyLanguage.English
        ? $"on a {Word(background, language)} background"
        : (background == ToyBackground.Black ? "mustalla taustalla" : "harmaalla taustalla");

    /// <summary>"black background" / "musta tausta".</summary>
    public static string Label(ToyBackground background, ToyLanguage language) =>
        $"{Word(background, language)} {(language == ToyLanguage.English ? "background" : "tausta")}";

    /// <summary>The noun of a caption that does not name the shape ("a red shape on the left" / "punainen muoto vasemmalla").</summary>
    public static string GenericShape(ToyLanguage language) => language == ToyLanguage.English ? "shape" : "muoto";

    /// <summary>Attribute words the parser knows (both languages, with synonyms), lower case.</summary>
    internal static readonly IReadOnlyDictionary<string, Enum> AttributeWords = BuildAttributeWords();

    /// <summary>Function words of the grammar (both languages): neither attributes nor unknown concepts.</summary>
    internal static readonly IReadOnlySet<string> FunctionWords = new HashSet<string>(StringComparer.Ordinal)
    {
        "a", "an", "the", "on", "at", "in", "of", "picture", "image", "photo", "there", "is", "background",
        "kuva", "jossa", "tausta", "taustalla", "shape", "muoto",
    };

    private static Dictionary<string, Enum> BuildAttributeWords()
    {
        var words = new Dictionary<string, Enum>(StringComparer.Ordinal);
        foreach (var lang in Enum.GetValues<ToyLanguage>())
        {
            foreach (var v in Enum.GetValues<ToyShape>()) words.Add(Word(v, lang), v);
            foreach (var v in Enum.GetValues<ToyColor>()) words.Add(Word(v, lang), v);
            foreach (var v in Enum.GetValues<ToyPosition>()) words.Add(Word(v, lang), v);
            foreach (var v in Enum.GetValues<ToySize>()) words.Add(Word(v, lang), v);
            foreach (var v in Enum.GetValues<ToyBackground>()) words.Add(Word(v, lang), v);
        }
        words.Add("center", ToyPosition.Centre);
        words.Add("middle", ToyPosition.Centre);
        words.Add("large", ToySize.Big);
        words.Add("grey", ToyBackground.Gray);
        words.Add("suuri", ToySize.Big);
        words.Add("mustalla", ToyBackground.Black);
        words.Add("harmaalla", ToyBackground.Gray);
        return words;
    }
}
