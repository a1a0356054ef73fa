using System.Globalization;
using System.Net;
using System.Text;
using System.Text.RegularExpressions;

namespace Penumbra.Tokenizers;

/// <summary>
/// The Python string functions CLIP's text cleaning relies on, with Python's semantics where .NET differs:
/// <c>str.lower()</c> (full lower-case mapping of U+0130 and the Final_Sigma rule), <c>html.unescape</c> and
/// <c>re.sub(r"\s+", " ", text).strip()</c>.
/// </summary>
internal static partial class PythonText
{
    /// <summary>Windows-1252 bytes 0x80-0x9F as characters; the five undefined ones map to the C1 control of the same value.</summary>
    public static readonly string Cp1252High =
        "\u20ac\u0081\u201a\u0192\u201e\u2026\u2020\u2021\u02c6\u2030\u0160\u2039\u0152\u008d\u017d\u008f" +
        "\u0090\u2018\u2019\u201c\u201d\u2022\u2013\u2014\u02dc\u2122\u0161\u203a\u0153\u009d\u017e\u0178";

    /// <summary>Python's <c>str.lower()</c>.</summary>
    public static string Lower(string text)
    {
        var sb = new StringBuilder(text.Length);
        int i = 0;
        while (i < text.Length)
        {
            var r = ClipPreTokenizer.RuneAt(text, i);
            int len = r.Utf16SequenceLength;
            if (r.Value == 0x0130) sb.Append("i\u0307");
            else if (r.Value == 0x03A3) sb.Append(IsFinalSigma(text, i) ? '\u03C2' : '\u03C3');
            else if (char.IsSurrogate(text[i]) && len == 1) sb.Append(text[i]);
            else sb.Append(Rune.ToLowerInvariant(r).ToString());
            i += len;
        }
        return sb.ToString();
    }

    /// <summary>Unicode's Final_Sigma: a cased letter before (skipping case-ignorables) and none after.</summary>
    private static bool IsFinalSigma(string text, int at)
    {
        int j = at;
        bool casedBefore = false;
        while (j > 0)
        {
            j -= j >= 2 && char.IsLowSurrogate(text[j - 1]) && char.IsHighSurrogate(text[j - 2]) ? 2 : 1;
            var r = ClipPreTokenizer.RuneAt(text, j);
            if (IsCaseIgnorable(r)) continue;
            casedBefore = IsCased(r);
            break;
        }
        if (!casedBefore) return false;
        j = at + 1;
        while (j < text.Length)
        {
            var r = ClipPreTokenizer.RuneAt(text, j);
            j += r.Utf16SequenceLength;
            if (IsCaseIgnorable(r)) continue;
            return !IsCased(r);
        }
        return true;
    }

    private static bool IsCased(Rune r) =>
        Rune.GetUnicodeCategory(r) is UnicodeCategory.UppercaseLetter or UnicodeCategory.LowercaseLetter or UnicodeCategory.TitlecaseLetter;

    private static bool IsCaseIgnorable(Rune r) =>
        Rune.GetUnicodeCategory(r) is UnicodeCategory.NonSpacingMark or UnicodeCategory.EnclosingMark or UnicodeCategory.Format
            or UnicodeCategory.ModifierLetter or UnicodeCategory.ModifierSymbol
        || r.Value is '\'' or '.' or ':' or 0x00B7 or 0x2018 or 0x2019 or 0x2024 or 0x2027 or 0xFE13 or 0xFE52 or 0xFE55 or 0xFF07 or 0xFF0E or 0xFF1A;

    /// <summary><c>re.sub(r"\s+", " ", text).strip()</c> (Python's <c>\s</c> and <c>str.strip()</c> white space).</summary>
    public static string CollapseWhitespace(string text)
    {
        var sb = new StringBuilder(text.Length);
        bool pendingSpace = false;
        foreach (char c in text)
        {
            if (IsPythonSpace(c))
            {
                pendingSpace = sb.Length > 0;
                continue;
            }
            if (pendingSpace) sb.Append(' ');
            pendingSpace = false;
            sb.Append(c);
        }
        return sb.ToString();
    }

    /// <summary>Python's <c>str.isspace()</c> (also what <c>re</c>'s Unicode <c>\s</c> matches).</summary>
    public static bool IsPythonSpace(char c) =>
        c is '\x1c' or '\x1d' or '\x1e' or '\x1f' || char.IsWhiteSpace(c);

    /// <summary>Python's <c>html.unescape</c>: numeric references with HTML5's replacements, named references
    /// with or without the semicolon where HTML allows it.</summary>
    public static string HtmlUnescape(string text) =>
        text.Contains('&') ? CharRef().Replace(text, m => ReplaceCharRef(m.Groups[1].Value)) : text;

    [GeneratedRegex(@"&(#[0-9]+;?|#[xX][0-9a-fA-F]+;?|[^\t\n\f <&#;]{1,32};?)")]
    private static partial Regex CharRef();

    private static string ReplaceCharRef(string s)
    {
        if (s[0] == '#')
        {
            bool hex = s[1] is 'x' or 'X';
            string digits = s[(hex ? 2 : 1)..].TrimEnd(';').TrimStart('0');
            long num = digits.Length == 0 ? 0
                : digits.Length > 8 ? long.MaxValue
                : long.Parse(digits, hex ? NumberStyles.HexNumber : NumberStyles.None, CultureInfo.InvariantCulture);
            if (num == 0) return "\uFFFD";
            if (num == 0x0D) return "\r";
            if (num is >= 0x80 and <= 0x9F) return Cp1252High[(int)num - 0x80].ToString();
            if (num is >= 0xD800 and <= 0xDFFF || num > 0x10FFFF) return "\uFFFD";
            if (num is >= 0x1 and <= 0x8 or >= 0xE and <= 0x1F or >= 0x7F and <= 0x9F or >= 0xFDD0 and <= 0xFDEF or 0xB
                || (num & 0xFFFE) == 0xFFFE) return "";
            return char.ConvertFromUtf32((int)num);
        }
        if (s.EndsWith(';') && TryNamed(s[..^1], out string? value)) return value;
        for (int x = s.EndsWith(';') ? s.Length - 1 : s.Length; x > 1; x--)
            if (LegacyNames.Contains(s[..x]) && TryNamed(s[..x], out string? legacy)) return legacy + s[x..];
        return "&" + s;
    }

    private static bool TryNamed(string name, out string value)
    {
        switch (name)
        {
            case "AMP": value = "&"; return true;
            case "LT": value = "<"; return true;
            case "GT": value = ">"; return true;
            case "QUOT": value = "\""; return true;
            case "COPY": value = "\u00a9"; return true;
            case "REG": value = "\u00ae"; return true;
        }
        string entity = "&" + name + ";";
        value = WebUtility.HtmlDecode(entity);
        return value != entity;
    }

    /// <summary>HTML5's named references that are also valid without the semicolon.</summary>
    private static readonly HashSet<string> LegacyNames = new(StringComparer.Ordinal)
    {
        "AElig", "AMP", "Aacute", "Acirc", "Agrave", "Aring", "Atilde", "Auml", "COPY", "Ccedil", "ETH", "Eacute", "Ecirc",
        "Egrave", "Euml", "GT", "Iacute", "Icirc", "Igrave", "Iuml", "LT", "Ntilde", "Oacute", "Ocirc", "Ograve", "Oslash",
        "Otilde", "Ouml", "QUOT", "REG", "THORN", "Uacute", "Ucirc", "Ugrave", "Uuml", "Yacute", "aacute", "acirc", "acute",
        "aelig", "agrave", "amp", "aring", "atilde", "auml", "brvbar", "ccedil", "cedil", "cent", "copy", "curren", "deg",
        "divide", "eacute", "ecirc", "egrave", "eth", "euml", "frac12", "frac14", "frac34", "gt", "iacute", "icirc", "iexcl",
        "igrave", "iquest", "iuml", "laquo", "lt", "macr", "micro", "middot", "nbsp", "not", "ntilde", "oacute", "ocirc",
        "ograve", "ordf", "ordm", "oslash", "otilde", "ouml", "para", "plusmn", "pound", "quot", "raquo", "reg", "sect", "shy",
        "sup1", "sup2", "sup3", "szlig", "thorn", "times", "uacute", "ucirc", "ugrave", "uml", "uuml", "yacute", "yen", "yuml",
    };
}
