using System.Collections.Concurrent;
using System.Text;

namespace Penumbra.Tokenizers;

/// <summary>
/// CLIP's byte-level BPE: the UTF-8 bytes of a pre-token are mapped to printable characters (GPT-2's
/// <c>bytes_to_unicode</c> table), the last symbol gets the <c>&lt;/w&gt;</c> end-of-word suffix, and the pair of
/// lowest merge rank is merged (every occurrence, left to right) until no ranked pair is left.
/// </summary>
internal sealed class ClipBytePairEncoder
{
    public const string EndOfWord = "</w>";

    /// <summary>transformers' CLIPTokenizer reads at most this many merges (49152 - 256 - 2).</summary>
    public const int MaxMerges = 49152 - 256 - 2;

    private static readonly char[] ByteToChar = BuildByteTable();
    private static readonly Dictionary<char, byte> CharToByte =
        Enumerable.Range(0, 256).ToDictionary(b => ByteToChar[b], b => (byte)b);

    private readonly Dictionary<(string, string), int> _ranks;
    private readonly ConcurrentDictionary<string, string[]> _cache = new(StringComparer.Ordinal);

    public ClipBytePairEncoder(IEnumerable<(string First, string Second)> merges)
    {
        _ranks = new Dictionary<(string, string), int>();
        int rank = 0;
        foreach (var pair in merges) _ranks.TryAdd(pair, rank++);
    }

    public int MergeCount => _ranks.Count;

    /// <summary>The byte-level form of a pre-token (one printable character per UTF-8 byte).</summary>
    public static string ToByteChars(string text)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        var chars = new char[bytes.Length];
        for (int i = 0; i < bytes.Length; i++) chars[i] = ByteToChar[bytes[i]];
        return new string(chars);
    }

    /// <summary>Bytes of a byte-level string; characters outside the table are skipped.</summary>
    public static void AppendBytes(string byteChars, List<byte> into)
    {
        foreach (char c in byteChars)
            if (CharToByte.TryGetValue(c, out byte b)) into.Add(b);
    }

    /// <summary>The BPE symbols of one pre-token given in byte-level form.</summary>
    public string[] Encode(string byteChars) => _cache.GetOrAdd(byteChars, Merge);

    private string[] Merge(string token)
    {
        if (token.Length == 0) return Array.Empty<string>();
        var word = new List<string>(token.Length);
        for (int i = 0; i < token.Length - 1; i++) word.Add(token[i].ToString());
        word.Add(token[^1] + EndOfWord);
        while (word.Count > 1)
        {
            int bestRank = int.MaxValue;
            (string, string) best = default;
            for (int i = 0; i < word.Count - 1; i++)
                if (_ranks.TryGetValue((word[i], word[i + 1]), out int r) && r < bestRank)
                {
                    bestRank = r;
                    best = (word[i], word[i + 1]);
                }
            if (bestRank == int.MaxValue) break;
            var merged = new List<string>(word.Count);
            for (int i = 0; i < word.Count; i++)
            {
                if (i < word.Count - 1 && word[i] == best.Item1 && word[i + 1] == best.Item2)
                {
                    merged.Add(best.Item1 + best.Item2);
                    i++;
                }
                else merged.Add(word[i]);
            }
            word = merged;
        }
        return word.ToArray();
    }

    /// <summary>GPT-2's table: printable Latin-1 bytes map to themselves, the other 68 to U+0100 upwards.</summary>
    private static char[] BuildByteTable()
    {
        var table = new char[256];
        int next = 0;
        for (int b = 0; b < 256; b++)
        {
            bool printable = b is >= '!' and <= '~' or >= 0xA1 and <= 0xAC or >= 0xAE and <= 0xFF;
            table[b] = printable ? (char)b : (char)(256 + next++);
        }
        return table;
    }
}
