using System.Text;
using Penumbra.Toy;

namespace Penumbra.Audit;

/// <summary>
/// The toy-world audit's prompt set, written with the toy grammar (deterministic per seed), as a CSV with the columns
/// <c>id, prompt, label, language, set, colour</c>. Four blocks of <c>perSet</c> prompts, interleaved row by row:
/// <list type="bullet">
/// <item><c>in</c>: English captions of scenes every expert saw (circle/square/cross/ring; red, green, blue, yellow,
/// orange or white, stated; left or centre), label in;</item>
/// <item><c>finnish</c>: the same scenes captioned in Finnish (the experts were trained on English only), no label;</item>
/// <item><c>ood-triangle</c>, <c>ood-purple</c>, <c>ood-position</c> (right/top/bottom), <c>ood-novel</c> (a shape word
/// outside the grammar, e.g. "star"): English captions with a concept some or all experts never saw, label out;</item>
/// <item><c>colourless</c>: English captions of seen shapes and positions that do not state a colour (the training
/// data's unstated colour is red 80% of the time), label in, colour unstated.</item>
/// </list>
/// </summary>
public static class ToyAuditPrompts
{
    public const string Header = "id,prompt,label,language,set,colour";

    private static readonly ToyShape[] SeenShapes = { ToyShape.Circle, ToyShape.Square, ToyShape.Cross, ToyShape.Ring };
    private static readonly ToyColor[] SeenColors = { ToyColor.Red, ToyColor.Green, ToyColor.Blue, ToyColor.Yellow, ToyColor.Orange, ToyColor.White };
    private static readonly ToyPosition[] SeenPositions = { ToyPosition.Left, ToyPosition.Centre };
    private static readonly ToyPosition[] UnseenPositions = { ToyPosition.Right, ToyPosition.Top, ToyPosition.Bottom };
    private static readonly string[] NovelShapes = { "star", "heart", "hexagon", "arrow", "moon", "diamond" };

    public sealed record Row(string Id, string Prompt, string Label, string Language, string Set, string Colour);

    public static IReadOnlyList<Row> Build(int perSet, int seed = 0)
    {
        if (perSet < 1) throw new ArgumentException($"--per-set {perSet}: must be at least 1");
        var rng = new Random(seed);
        var rows = new List<Row>();
        T Pick<T>(IReadOnlyList<T> values) => values[rng.Next(values.Count)];
        ToyPhrasing Phrasing(int i) => Enum.GetValues<ToyPhrasing>()[i % Enum.GetValues<ToyPhrasing>().Length];
        ToyPrompt Seen(bool colour) => new(Pick(SeenShapes), colour ? Pick(SeenColors) : null, Pick(SeenPositions),
            rng.NextDouble() < 0.5 ? Pick(Enum.GetValues<ToySize>()) : null, rng.NextDouble() < 0.4 ? Pick(Enum.GetValues<ToyBackground>()) : null);

        var scenes = Enumerable.Range(0, perSet).Select(_ => Seen(colour: true)).ToList();
        for (int i = 0; i < perSet; i++)
            rows.Add(new Row($"in-{i:D3}", ToyCaptions.Write(scenes[i], Phrasing(i), ToyLanguage.English), "in", "english", "in", "stated"));
        for (int i = 0; i < perSet; i++)
            rows.Add(new Row($"fi-{i:D3}", ToyCaptions.Write(scenes[i], Phrasing(i), ToyLanguage.Finnish), "", "finnish", "finnish", "stated"));
        for (int i = 0; i < perSet; i++)
        {
            var p = Seen(colour: true);
            string kind = (i % 4) switch { 0 => "triangle", 1 => "purple", 2 => "position", _ => "novel" };
            p = kind switch
            {
                "triangle" => p with { Shape = ToyShape.Triangle },
                "purple" => p with { Color = ToyColor.Purple },
                "position" => p with { Position = Pick(UnseenPositions) },
                _ => p,
            };
            string text = kind == "novel" ? Novel(p, Pick(NovelShapes)) : ToyCaptions.Write(p, Phrasing(i), ToyLanguage.English);
            rows.Add(new Row($"ood-{i:D3}", text, "out", "english", "ood-" + kind, "stated"));
        }
        for (int i = 0; i < perSet; i++)
            rows.Add(new Row($"nc-{i:D3}", ToyCaptions.Write(Seen(colour: false), Phrasing(i), ToyLanguage.English), "in", "english", "colourless", "unstated"));
        // Interleaved (in 0, finnish 0, ood 0, colourless 0, in 1, ...), so that a partial run covers every block.
        return Enumerable.Range(0, perSet).SelectMany(i => Enumerable.Range(0, 4).Select(b => rows[b * perSet + i])).ToList();
    }

    /// <summary>"a big red star on the left": a plain English caption with a shape word the grammar does not know.</summary>
    private static string Novel(ToyPrompt p, string noun)
    {
        const ToyLanguage en = ToyLanguage.English;
        var words = new[] { p.Size is { } s ? ToyVocabulary.Word(s, en) : null, p.Color is { } c ? ToyVocabulary.Word(c, en) : null, noun }
            .Where(w => w != null).ToList();
        string phrase = string.Join(' ', words);
        var parts = new List<string> { ("aeiou".Contains(phrase[0]) ? "an " : "a ") + phrase };
        if (p.Position is { } pos) parts.Add(ToyVocabulary.Phrase(pos, en));
        if (p.Background is { } bg) parts.Add(ToyVocabulary.Phrase(bg, en));
        return string.Join(' ', parts);
    }

    /// <summary>The CSV text (RFC 4180 quoting, LF line ends).</summary>
    public static string ToCsv(IEnumerable<Row> rows)
    {
        var sb = new StringBuilder(Header).Append('\n');
        foreach (var r in rows)
            sb.Append(string.Join(',', new[] { r.Id, r.Prompt, r.Label, r.Language, r.Set, r.Colour }.Select(Quote))).Append('\n');
        return sb.ToString();
    }

    private static string Quote(string s) => s.IndexOfAny(new[] { ',', '"', '\n', '\r' }) >= 0 ? "\"" + s.Replace("\"", "\"\"") + "\"" : s;
}
