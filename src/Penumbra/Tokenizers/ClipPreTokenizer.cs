using System.Globalization;
using System.Text;

namespace Penumbra.Tokenizers;

/// <summary>
/// CLIP's pre-tokenisation pattern, <c>&lt;|startoftext|&gt;|&lt;|endoftext|&gt;|'s|'t|'re|'ve|'m|'ll|'d|[\p{L}]+|[\p{N}]|[^\s\p{L}\p{N}]+</c>
/// (case-insensitive), evaluated per Unicode scalar value as Python's <c>regex</c> module does (so letters outside
/// the BMP count as letters): letter runs, single digits, runs of anything else that is not white space.
/// </summary>
internal static class ClipPreTokenizer
{
    private static readonly string[] Specials = { "<|startoftext|>", "<|endoftext|>" };
    private static readonly string[] Contractions = { "'s", "'t", "'re", "'ve", "'m", "'ll", "'d" };

    public static List<string> Split(string text)
    {
        var pieces = new List<string>();
        int i = 0;
        while (i < text.Length)
        {
            var rune = RuneAt(text, i);
            string? fixedToken = text[i] switch
            {
                '<' => FirstAt(Specials, text, i),
                '\'' => FirstAt(Contractions, text, i),
                _ => null,
            };
            if (fixedToken is not null)
            {
                pieces.Add(text.Substring(i, fixedToken.Length));
                i += fixedToken.Length;
                continue;
            }
            var kind = Classify(rune);
            if (kind == Kind.Space)
            {
                i += rune.Utf16SequenceLength;
                continue;
            }
            int start = i;
            i += rune.Utf16SequenceLength;
            if (kind != Kind.Number)
                while (i < text.Length && Classify(RuneAt(text, i)) == kind)
                    i += RuneAt(text, i).Utf16SequenceLength;
            pieces.Add(text[start..i]);
        }
        return pieces;
    }

    private static string? FirstAt(string[] candidates, string text, int i) =>
        candidates.FirstOrDefault(s => i + s.Length <= text.Length
                                       && string.Compare(text, i, s, 0, s.Length, StringComparison.OrdinalIgnoreCase) == 0);

    /// <summary>The scalar value at <paramref name="i"/>; a lone surrogate reads as U+FFFD of length 1.</summary>
    internal static Rune RuneAt(string text, int i) =>
        Rune.DecodeFromUtf16(text.AsSpan(i), out var r, out _) == System.Buffers.OperationStatus.Done ? r : Rune.ReplacementChar;

    private enum Kind { Letter, Number, Space, Other }

    private static Kind Classify(Rune r)
    {
        if (Rune.IsWhiteSpace(r)) return Kind.Space;
        return Rune.GetUnicodeCategory(r) switch
        {
            UnicodeCategory.UppercaseLetter or UnicodeCategory.LowercaseLetter or UnicodeCategory.TitlecaseLetter
                or UnicodeCategory.ModifierLetter or UnicodeCategory.OtherLetter => Kind.Letter,
            UnicodeCategory.DecimalDigitNumber or UnicodeCategory.LetterNumber or UnicodeCategory.OtherNumber => Kind.Number,
            _ => Kind.Other,
        };
    }
}
