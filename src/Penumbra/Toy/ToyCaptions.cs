namespace Penumbra.Toy;

/// <summary>Writes captions of the toy grammar (see <see cref="ToyPhrasing"/>) for the attributes a prompt states; without a
/// shape the noun is <see cref="ToyVocabulary.GenericShape"/>.</summary>
public static class ToyCaptions
{
    public static string Write(ToyPrompt prompt, ToyPhrasing phrasing, ToyLanguage language)
    {
        if (phrasing == ToyPhrasing.PositionFirst && prompt.Position is null) phrasing = ToyPhrasing.Plain;
        return language == ToyLanguage.English ? English(prompt, phrasing) : Finnish(prompt, phrasing);
    }

    private static string English(ToyPrompt p, ToyPhrasing phrasing)
    {
        const ToyLanguage en = ToyLanguage.English;
        string noun = Join(p.Size is { } s ? ToyVocabulary.Word(s, en) : null, p.Color is { } c ? ToyVocabulary.Word(c, en) : null,
            p.Shape is { } shape ? ToyVocabulary.Word(shape, en) : ToyVocabulary.GenericShape(en));
        string article = "aeiou".Contains(noun[0]) ? "an" : "a";
        string? position = p.Position is { } pos ? ToyVocabulary.Phrase(pos, en) : null;
        string? background = p.Background is { } bg ? ToyVocabulary.Phrase(bg, en) : null;
        return phrasing switch
        {
            ToyPhrasing.Plain => Join(article, noun, position, background),
            ToyPhrasing.Telegraphic => Comma(noun, p.Position is { } q ? ToyVocabulary.Word(q, en) : null,
                p.Background is { } b ? ToyVocabulary.Label(b, en) : null),
            ToyPhrasing.Picture => Join("a picture of", article, noun, position, background),
            ToyPhrasing.PositionFirst => Join(position, "there is", article, noun, background),
            _ => throw new ArgumentOutOfRangeException(nameof(phrasing), phrasing, "unknown phrasing"),
        };
    }

    private static string Finnish(ToyPrompt p, ToyPhrasing phrasing)
    {
        const ToyLanguage fi = ToyLanguage.Finnish;
        string noun = Join(p.Size is { } s ? ToyVocabulary.Word(s, fi) : null, p.Color is { } c ? ToyVocabulary.Word(c, fi) : null,
            p.Shape is { } shape ? ToyVocabulary.Word(shape, fi) : ToyVocabulary.GenericShape(fi));
        string? position = p.Position is { } pos ? ToyVocabulary.Phrase(pos, fi) : null;
        string? background = p.Background is { } bg ? ToyVocabulary.Phrase(bg, fi) : null;
        return phrasing switch
        {
            ToyPhrasing.Plain => Join(noun, position, background),
            ToyPhrasing.Telegraphic => Comma(noun, position, p.Background is { } b ? ToyVocabulary.Label(b, fi) : null),
            ToyPhrasing.Picture => Join("kuva, jossa on", noun, position, background),
            ToyPhrasing.PositionFirst => Join(position, "on", noun, background),
            _ => throw new ArgumentOutOfRangeException(nameof(phrasing), phrasing, "unknown phrasing"),
        };
    }

    private static string Join(params string?[] parts) => string.Join(' ', parts.Where(x => x is not null));

    private static string Comma(params string?[] parts) => string.Join(", ", parts.Where(x => x is not null));
}
