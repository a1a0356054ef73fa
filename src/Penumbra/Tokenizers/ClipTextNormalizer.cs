using System.Globalization;
using System.Text;

namespace Penumbra.Tokenizers;

/// <summary>The text cleaning of <see cref="ClipTextCleaning"/>, before CLIP's pre-tokenisation.</summary>
internal static class ClipTextNormalizer
{
    public static string Clean(string text, ClipTextCleaning cleaning) => cleaning switch
    {
        ClipTextCleaning.Ftfy => PythonText.Lower(PythonText.CollapseWhitespace(
            PythonText.HtmlUnescape(PythonText.HtmlUnescape(TextFixer.FixText(text))))),
        ClipTextCleaning.TransformersBasic => BasicTokenizer(text),
        _ => throw new ArgumentOutOfRangeException(nameof(cleaning), cleaning, "unknown text cleaning"),
    };

    /// <summary>transformers' <c>BasicTokenizer(strip_accents=False, do_split_on_punc=False).tokenize</c>, joined by spaces.</summary>
    private static string BasicTokenizer(string text)
    {
        var sb = new StringBuilder(text.Length);
        for (int i = 0; i < text.Length;)
        {
            var r = ClipPreTokenizer.RuneAt(text, i);
            i += r.Utf16SequenceLength;
            var category = Rune.GetUnicodeCategory(r);
            bool isControl = r.Value is not ('\t' or '\n' or '\r')
                             && category is UnicodeCategory.Control or UnicodeCategory.Format or UnicodeCategory.OtherNotAssigned
                                 or UnicodeCategory.PrivateUse or UnicodeCategory.Surrogate;
            if (r.Value is 0 or 0xFFFD || isControl) continue;
            if (r.Value is ' ' or '\t' or '\n' or '\r' || category == UnicodeCategory.SpaceSeparator) sb.Append(' ');
            else if (IsCjkIdeograph(r.Value)) sb.Append(' ').Append(r.ToString()).Append(' ');
            else sb.Append(r.ToString());
        }
        var words = sb.ToString().Normalize(NormalizationForm.FormC)
            .Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries)
            .SelectMany(w => SplitPythonSpace(w))
            .Select(PythonText.Lower);
        return string.Join(' ', words);
    }

    private static IEnumerable<string> SplitPythonSpace(string word)
    {
        int start = 0;
        for (int i = 0; i < word.Length; i++)
            if (PythonText.IsPythonSpace(word[i]))
            {
                if (i > start) yield return word[start..i];
                start = i + 1;
            }
        if (start < word.Length) yield return word[start..];
    }

    private static bool IsCjkIdeograph(int cp) =>
        cp is >= 0x4E00 and <= 0x9FFF or >= 0x3400 and <= 0x4DBF or >= 0x20000 and <= 0x2A6DF or >= 0x2A700 and <= 0x2B73F
            or >= 0x2B740 and <= 0x2B81F or >= 0x2B820 and <= 0x2CEAF or >= 0xF900 and <= 0xFAFF or >= 0x2F800 and <= 0x2FA1F;
}
