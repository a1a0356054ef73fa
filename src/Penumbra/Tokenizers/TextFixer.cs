using System.Text;

namespace Penumbra.Tokenizers;

/// <summary>
/// The subset of <c>ftfy.fix_text</c> (ftfy 6, default settings) that CLIP prompts meet, applied per line in ftfy's
/// order until nothing changes: HTML entities (only when the text has no <c>&lt;</c>), mojibake (a line whose
/// characters are all Windows-1252/Latin-1 and whose bytes in that code page are valid UTF-8 with multi-byte
/// sequences is decoded as UTF-8; ftfy's badness heuristic and other code pages are not ported), C1 controls read as
/// Windows-1252, Latin ligatures split, full/half-width forms narrowed, curly quotes straightened, line breaks unified,
/// ANSI escapes and unwanted control characters removed, NFC.
/// </summary>
public static class TextFixer
{
    public static string FixText(string text)
    {
        var lines = new List<string>();
        int start = 0;
        for (int i = 0; i < text.Length; i++)
            if (text[i] == '\n')
            {
                lines.Add(text[start..(i + 1)]);
                start = i + 1;
            }
        if (start < text.Length) lines.Add(text[start..]);
        var sb = new StringBuilder(text.Length);
        foreach (var line in lines) sb.Append(FixSegment(line));
        return sb.ToString();
    }

    private static string FixSegment(string text)
    {
        bool unescape = !text.Contains('<');
        for (int round = 0; round < 16; round++)
        {
            string original = text;
            if (unescape) text = PythonText.HtmlUnescape(text);
            text = FixEncoding(text);
            text = FixC1Controls(text);
            text = Translate(text, Ligature);
            text = Translate(text, Width);
            text = UncurlQuotes(text);
            text = FixLineBreaks(text);
            text = RemoveTerminalEscapes(text);
            text = FixSurrogates(text);
            text = Translate(text, c => IsControl(c) ? "" : null);
            text = text.Normalize(NormalizationForm.FormC);
            if (text == original) break;
        }
        return text;
    }

    /// <summary>Windows-1252 (with Latin-1 for its five undefined bytes) read as UTF-8, repeated for double encodings.</summary>
    private static string FixEncoding(string text)
    {
        for (int round = 0; round < 4; round++)
        {
            var bytes = new byte[text.Length];
            bool anyHigh = false;
            for (int i = 0; i < text.Length; i++)
            {
                char c = text[i];
                int b = c < 0x80 || c is >= '\u00a0' and <= '\u00ff' ? c : PythonText.Cp1252High.IndexOf(c) is var k and >= 0 ? 0x80 + k : -1;
                if (b < 0) return text;
                anyHigh |= b >= 0x80;
                bytes[i] = (byte)b;
            }
            if (!anyHigh) return text;
            string decoded;
            try
            {
                decoded = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(bytes);
            }
            catch (DecoderFallbackException)
            {
                return text;
            }
            if (decoded == text) return text;
            text = decoded;
        }
        return text;
    }

    private static string FixC1Controls(string text) =>
        Translate(text, c => c is >= '\u0080' and <= '\u009f' ? PythonText.Cp1252High[c - 0x80].ToString() : null);

    private static string? Ligature(char c) => c switch
    {
        '\u0132' => "IJ", '\u0133' => "ij", '\u0149' => "\u02bcn",
        '\u01c4' => "D\u017d", '\u01c5' => "D\u017e", '\u01c6' => "d\u017e",
        '\u01c7' => "LJ", '\u01c8' => "Lj", '\u01c9' => "lj",
        '\u01ca' => "NJ", '\u01cb' => "Nj", '\u01cc' => "nj",
        '\u01f1' => "DZ", '\u01f2' => "Dz", '\u01f3' => "dz",
        '\ufb00' => "ff", '\ufb01' => "fi", '\ufb02' => "fl", '\ufb03' => "ffi", '\ufb04' => "ffl",
        '\ufb05' => "\u017ft", '\ufb06' => "st",
        _ => null,
    };

    /// <summary>ftfy's width map: U+3000 and every U+FF01-U+FFEF form whose NFKC differs.</summary>
    private static string? Width(char c)
    {
        if (c == '\u3000') return " ";
        if (c is < '\uff01' or > '\uffef') return null;
        string n = c.ToString().Normalize(NormalizationForm.FormKC);
        return n == c.ToString() ? null : n;
    }

    private static string UncurlQuotes(string text) => Translate(text, c => c switch
    {
        '\u02bc' or >= '\u2018' and <= '\u201b' => "'",
        >= '\u201c' and <= '\u201f' => "\"",
        _ => null,
    });

    private static string FixLineBreaks(string text) =>
        text.Replace("\r\n", "\n").Replace('\r', '\n').Replace('\u2028', '\n').Replace('\u2029', '\n').Replace('\u0085', '\n');

    private static string RemoveTerminalEscapes(string text) =>
        text.Contains('\u001b') ? System.Text.RegularExpressions.Regex.Replace(text, "\u001b\\[((?:\\d|;)*)([a-zA-Z])", "") : text;

    /// <summary>Surrogate pairs kept, lone surrogates replaced by U+FFFD.</summary>
    private static string FixSurrogates(string text)
    {
        if (!text.Any(char.IsSurrogate)) return text;
        var sb = new StringBuilder(text.Length);
        for (int i = 0; i < text.Length; i++)
        {
            if (char.IsHighSurrogate(text[i]) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                sb.Append(text, i++, 2);
                continue;
            }
            sb.Append(char.IsSurrogate(text[i]) ? '\uFFFD' : text[i]);
        }
        return sb.ToString();
    }

    private static bool IsControl(char c) =>
        c is <= '\u0008' or '\u000b' or >= '\u000e' and <= '\u001f' or '\u007f' or >= '\u206a' and <= '\u206f' or '\ufeff'
            or >= '\ufff9' and <= '\ufffc';

    private static string Translate(string text, Func<char, string?> map)
    {
        StringBuilder? sb = null;
        for (int i = 0; i < text.Length; i++)
        {
            string? r = map(text[i]);
            if (r is null)
            {
                sb?.Append(text[i]);
                continue;
            }
            sb ??= new StringBuilder(text.Length).Append(text, 0, i);
            sb.Append(r);
        }
        return sb?.ToString() ?? text;
    }
}
