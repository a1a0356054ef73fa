using System.Globalization;
using System.Text;

namespace Penumbra.Toy;

/// <summary>
/// Maps a caption back to the attributes it states. Word-based and phrasing-independent: lower-cased words are looked
/// up in <see cref="ToyVocabulary"/> (English and Finnish, with synonyms such as "center", "grey", "large"); function
/// words are skipped; other words are returned as <see cref="ToyPrompt.UnknownWords"/>. A caption that names two
/// different values of one attribute ("a red blue circle") is rejected.
/// </summary>
public static class ToyCaptionParser
{
    public static ToyPrompt Parse(string caption)
    {
        if (!TryParse(caption, out var prompt, out var error)) throw new FormatException(error);
        return prompt;
    }

    public static bool TryParse(string caption, out ToyPrompt prompt, out string? error)
    {
        ArgumentNullException.ThrowIfNull(caption);
        ToyShape? shape = null; ToyColor? color = null; ToyPosition? position = null; ToySize? size = null; ToyBackground? background = null;
        var unknown = new List<string>();
        error = null;
        foreach (var word in Words(caption))
        {
            if (ToyVocabulary.AttributeWords.TryGetValue(word, out var value))
            {
                bool ok = value switch
                {
                    ToyShape v => Set(ref shape, v),
                    ToyColor v => Set(ref color, v),
                    ToyPosition v => Set(ref position, v),
                    ToySize v => Set(ref size, v),
                    ToyBackground v => Set(ref background, v),
                    _ => true,
                };
                if (!ok)
                {
                    error ??= $"caption \"{caption}\" names two different {value.GetType().Name.Replace("Toy", "").ToLowerInvariant()}s (\"{word}\" and an earlier one)";
                }
            }
            else if (!ToyVocabulary.FunctionWords.Contains(word)) unknown.Add(word);
        }
        prompt = new ToyPrompt(shape, color, position, size, background) { UnknownWords = unknown };
        return error is null;
    }

    private static bool Set<T>(ref T? slot, T value) where T : struct, Enum
    {
        if (slot is { } old) return EqualityComparer<T>.Default.Equals(old, value);
        slot = value;
        return true;
    }

    private static IEnumerable<string> Words(string caption)
    {
        var sb = new StringBuilder();
        foreach (char ch in caption.Normalize(NormalizationForm.FormC))
        {
            if (char.IsLetter(ch)) sb.Append(char.ToLower(ch, CultureInfo.InvariantCulture));
            else if (sb.Length > 0) { yield return sb.ToString(); sb.Clear(); }
        }
        if (sb.Length > 0) yield return sb.ToString();
    }
}
