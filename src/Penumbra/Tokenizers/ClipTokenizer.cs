using System.Text;
using System.Text.Json;
using Penumbra.IO;

namespace Penumbra.Tokenizers;

/// <summary>
/// CLIP's tokenizer (transformers 4.36 <c>CLIPTokenizer</c> / openai/CLIP <c>SimpleTokenizer</c>) read from a tokenizer
/// folder: <c>vocab.json</c>, <c>merges.txt</c>, and optionally <c>special_tokens_map.json</c>,
/// <c>tokenizer_config.json</c>, <c>added_tokens.json</c>. Text is cleaned (<see cref="ClipTextCleaning"/>), split by CLIP's
/// pre-tokenisation pattern and encoded with byte-level BPE. Special and added tokens in the text are single tokens.
/// </summary>
public sealed class ClipTokenizer
{
    public const string VocabFile = "vocab.json";
    public const string MergesFile = "merges.txt";
    public const string SpecialTokensMapFile = "special_tokens_map.json";
    public const string ConfigFile = "tokenizer_config.json";
    public const string AddedTokensFile = "added_tokens.json";

    private readonly Dictionary<string, int> _encoder;
    private readonly Dictionary<int, string> _decoder;
    private readonly ClipBytePairEncoder _bpe;
    private readonly List<string> _specialTokens = new();
    private readonly HashSet<int> _specialIds = new();

    public ClipTokenizer(
        IReadOnlyDictionary<string, int> vocab, IEnumerable<(string, string)> merges,
        string bosToken = "<|startoftext|>", string eosToken = "<|endoftext|>", string unkToken = "<|endoftext|>",
        string padToken = "<|endoftext|>", int modelMaxLength = 77, ClipTextCleaning cleaning = ClipTextCleaning.Ftfy)
    {
        _encoder = new Dictionary<string, int>(vocab, StringComparer.Ordinal);
        _decoder = new Dictionary<int, string>();
        foreach (var (token, id) in _encoder) _decoder.TryAdd(id, token);
        _bpe = new ClipBytePairEncoder(merges);
        if (modelMaxLength < 2) throw new ArgumentException($"model_max_length {modelMaxLength} leaves no room for BOS and EOS");
        ModelMaxLength = modelMaxLength;
        Cleaning = cleaning;
        BosToken = bosToken;
        EosToken = eosToken;
        UnkToken = unkToken;
        PadToken = padToken;
        // The pad token is not split out of text: SD 2.x pads with "!", which prompts use as punctuation.
        foreach (var special in new[] { bosToken, eosToken, unkToken }.Distinct())
            if (_encoder.ContainsKey(special)) MarkSpecial(special);
        BosTokenId = IdOf(bosToken, "bos_token");
        EosTokenId = IdOf(eosToken, "eos_token");
        UnkTokenId = IdOf(unkToken, "unk_token");
        PadTokenId = IdOf(padToken, "pad_token");
    }

    public string BosToken { get; }
    public string EosToken { get; }
    public string UnkToken { get; }
    public string PadToken { get; }
    public int BosTokenId { get; }
    public int EosTokenId { get; }
    public int UnkTokenId { get; }
    public int PadTokenId { get; }
    public int ModelMaxLength { get; }
    public ClipTextCleaning Cleaning { get; }

    /// <summary>Vocabulary size including added tokens.</summary>
    public int VocabSize => _decoder.Count == 0 ? 0 : _decoder.Keys.Max() + 1;

    /// <summary>Reads a tokenizer folder. <c>special_tokens_map.json</c> overrides <c>tokenizer_config.json</c>
    /// (SD 2.x pads with <c>"!"</c> that way); merges beyond transformers' 48,894 are ignored as transformers does.
    /// <paramref name="padToken"/>, when given, overrides both (an SD 2.x single file read with an SD 1.x tokenizer folder).</summary>
    public static ClipTokenizer FromPretrained(string folder, ClipTextCleaning cleaning = ClipTextCleaning.Ftfy, string? padToken = null)
    {
        if (!Directory.Exists(folder)) throw new DirectoryNotFoundException($"{folder}: tokenizer folder not found");
        string vocabPath = Path.Combine(folder, VocabFile), mergesPath = Path.Combine(folder, MergesFile);
        var vocab = ReadJson(vocabPath, required: true)!.Value.EnumerateObject()
            .ToDictionary(p => p.Name, p => p.Value.TryGetInt32(out int id) && id >= 0 ? id
                : throw new CheckpointFormatException(vocabPath, $"id of '{p.Name}' is not a non-negative integer"));
        var merges = ReadMerges(mergesPath);

        var tokens = new Dictionary<string, string>
        {
            ["bos_token"] = "<|startoftext|>", ["eos_token"] = "<|endoftext|>", ["unk_token"] = "<|endoftext|>", ["pad_token"] = "<|endoftext|>",
        };
        int maxLength = 77;
        var config = ReadJson(Path.Combine(folder, ConfigFile), required: false);
        var map = ReadJson(Path.Combine(folder, SpecialTokensMapFile), required: false);
        foreach (var source in new[] { config, map })
        {
            if (source is not { ValueKind: JsonValueKind.Object } obj) continue;
            foreach (var key in tokens.Keys.ToList())
                if (obj.TryGetProperty(key, out var v) && TokenContent(v) is { } content) tokens[key] = content;
        }
        if (config is { ValueKind: JsonValueKind.Object } c && c.TryGetProperty("model_max_length", out var ml) && ml.ValueKind == JsonValueKind.Number
            && ml.TryGetInt64(out long len) && len is >= 2 and <= 1_000_000)
            maxLength = (int)len;

        var added = ReadJson(Path.Combine(folder, AddedTokensFile), required: false);
        if (added is { ValueKind: JsonValueKind.Object } a)
            foreach (var p in a.EnumerateObject())
                if (p.Value.TryGetInt32(out int id)) vocab.TryAdd(p.Name, id);

        var tokenizer = new ClipTokenizer(vocab, merges, tokens["bos_token"], tokens["eos_token"], tokens["unk_token"],
            padToken ?? tokens["pad_token"], maxLength, cleaning);
        if (added is { ValueKind: JsonValueKind.Object } a2)
            foreach (var p in a2.EnumerateObject()) tokenizer.MarkSpecial(p.Name);
        return tokenizer;
    }

    /// <summary>Content ids of <paramref name="text"/>: no BOS/EOS, no truncation.</summary>
    public int[] Encode(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var ids = new List<int>();
        foreach (var (segment, isSpecial) in SplitOnSpecialTokens(text))
        {
            if (isSpecial)
            {
                ids.Add(_encoder[segment]);
                continue;
            }
            string cleaned = ClipTextNormalizer.Clean(segment, Cleaning);
            foreach (var piece in ClipPreTokenizer.Split(cleaned))
            {
                if (piece is "<|startoftext|>" or "<|endoftext|>" && _encoder.TryGetValue(piece, out int sid))
                {
                    ids.Add(sid);
                    continue;
                }
                foreach (var symbol in _bpe.Encode(ClipBytePairEncoder.ToByteChars(piece)))
                    ids.Add(_encoder.TryGetValue(symbol, out int id) ? id : UnkTokenId);
            }
        }
        return ids.ToArray();
    }

    /// <summary>
    /// <c>BOS + Encode(text)[..(maxLength-2)] + EOS</c>, padded with the pad token to <paramref name="maxLength"/>
    /// (default <see cref="ModelMaxLength"/>, 77) unless <paramref name="pad"/> is false. Truncation is reported in
    /// <see cref="ClipTokenizedPrompt.DroppedTokens"/>.
    /// </summary>
    public ClipTokenizedPrompt EncodeForModel(string text, int? maxLength = null, bool pad = true)
    {
        int max = maxLength ?? ModelMaxLength;
        if (max < 2) throw new ArgumentOutOfRangeException(nameof(maxLength), max, "must leave room for BOS and EOS");
        var content = Encode(text);
        int kept = Math.Min(content.Length, max - 2);
        var ids = new List<long>(max) { BosTokenId };
        ids.AddRange(content.Take(kept).Select(i => (long)i));
        ids.Add(EosTokenId);
        int length = ids.Count;
        if (pad)
            while (ids.Count < max) ids.Add(PadTokenId);
        string dropped = kept < content.Length ? Decode(content.Skip(kept)) : "";
        return new ClipTokenizedPrompt(ids.ToArray(), length, content.Length - kept, dropped);
    }

    /// <summary>Prompts padded to the longest one (truncated at <see cref="ModelMaxLength"/>), as
    /// <c>tokenizer(texts, padding=True, truncation=True)</c> does.</summary>
    public IReadOnlyList<ClipTokenizedPrompt> EncodeBatchPadded(IReadOnlyList<string> texts)
    {
        var items = texts.Select(t => EncodeForModel(t, pad: false)).ToList();
        int longest = items.Count == 0 ? 0 : items.Max(p => p.Ids.Length);
        return items.Select(p => p with { Ids = p.Ids.Concat(Enumerable.Repeat((long)PadTokenId, longest - p.Ids.Length)).ToArray() }).ToList();
    }

    /// <summary>Text of <paramref name="ids"/>: symbols joined, bytes decoded as UTF-8 (invalid bytes replaced),
    /// <c>&lt;/w&gt;</c> read as a space, trimmed. Special tokens are skipped unless asked for.</summary>
    public string Decode(IEnumerable<long> ids, bool skipSpecialTokens = true)
    {
        var bytes = new List<byte>();
        var sb = new StringBuilder();
        void Flush()
        {
            sb.Append(Encoding.UTF8.GetString(bytes.ToArray()));
            bytes.Clear();
        }
        foreach (long id in ids)
        {
            if (!_decoder.TryGetValue((int)id, out var token)) throw new ArgumentException($"token id {id} is not in the vocabulary", nameof(ids));
            if (_specialIds.Contains((int)id))
            {
                if (skipSpecialTokens) continue;
                Flush();
                sb.Append(token);
                continue;
            }
            bool endOfWord = token.EndsWith(ClipBytePairEncoder.EndOfWord, StringComparison.Ordinal);
            ClipBytePairEncoder.AppendBytes(endOfWord ? token[..^ClipBytePairEncoder.EndOfWord.Length] : token, bytes);
            if (endOfWord)
            {
                Flush();
                sb.Append(' ');
            }
        }
        Flush();
        return sb.ToString().Trim(' ');
    }

    public string Decode(IEnumerable<int> ids, bool skipSpecialTokens = true) => Decode(ids.Select(i => (long)i), skipSpecialTokens);

    /// <summary>Id of a vocabulary entry, or null.</summary>
    public int? TokenToId(string token) => _encoder.TryGetValue(token, out int id) ? id : null;

    public string? IdToToken(int id) => _decoder.GetValueOrDefault(id);

    /// <summary>
    /// Adds <paramref name="token"/> as a special token (never split, never cleaned) and returns its id: the existing
    /// id if the vocabulary has it, else the next free id (<see cref="VocabSize"/>), as transformers' <c>add_tokens</c>.
    /// </summary>
    public int AddSpecialToken(string token)
    {
        if (string.IsNullOrEmpty(token)) throw new ArgumentException("a special token must not be empty", nameof(token));
        if (!_encoder.TryGetValue(token, out int id))
        {
            id = VocabSize;
            _encoder[token] = id;
            _decoder[id] = token;
        }
        MarkSpecial(token);
        return id;
    }

    private void MarkSpecial(string token)
    {
        if (!_specialTokens.Contains(token))
        {
            _specialTokens.Add(token);
            _specialTokens.Sort((x, y) => y.Length.CompareTo(x.Length));
        }
        if (_encoder.TryGetValue(token, out int id)) _specialIds.Add(id);
    }

    /// <summary>The text cut at special tokens (longest match first, left to right).</summary>
    private IEnumerable<(string Text, bool IsSpecial)> SplitOnSpecialTokens(string text)
    {
        int start = 0, i = 0;
        while (i < text.Length)
        {
            string? hit = null;
            foreach (var s in _specialTokens)
                if (i + s.Length <= text.Length && string.CompareOrdinal(text, i, s, 0, s.Length) == 0)
                {
                    hit = s;
                    break;
                }
            if (hit is null)
            {
                i++;
                continue;
            }
            if (i > start) yield return (text[start..i], false);
            yield return (hit, true);
            i += hit.Length;
            start = i;
        }
        if (start < text.Length) yield return (text[start..], false);
    }

    private int IdOf(string token, string role) =>
        _encoder.TryGetValue(token, out int id) ? id : throw new ArgumentException($"{role} '{token}' is not in the vocabulary");

    private static string? TokenContent(JsonElement v) => v.ValueKind switch
    {
        JsonValueKind.String => v.GetString(),
        JsonValueKind.Object when v.TryGetProperty("content", out var c) && c.ValueKind == JsonValueKind.String => c.GetString(),
        _ => null,
    };

    private static JsonElement? ReadJson(string path, bool required)
    {
        if (!File.Exists(path))
            return required ? throw new FileNotFoundException($"{path}: tokenizer file not found", path) : null;
        try
        {
            using var doc = JsonDocument.Parse(File.ReadAllText(FileLinks.Resolve(path)));
            if (doc.RootElement.ValueKind != JsonValueKind.Object) throw new CheckpointFormatException(path, "expected a JSON object");
            return doc.RootElement.Clone();
        }
        catch (JsonException e)
        {
            throw new CheckpointFormatException(path, $"invalid JSON: {e.Message}", e);
        }
    }

    private static List<(string, string)> ReadMerges(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"{path}: tokenizer file not found", path);
        var lines = File.ReadAllText(FileLinks.Resolve(path), Encoding.UTF8).Trim().Split('\n');
        var merges = new List<(string, string)>();
        for (int n = 1; n < lines.Length && merges.Count < ClipBytePairEncoder.MaxMerges; n++)
        {
            var parts = lines[n].Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length != 2) throw new CheckpointFormatException(path, $"line {n + 1}: expected two symbols, got '{lines[n].TrimEnd()}'");
            merges.Add((parts[0], parts[1]));
        }
        return merges;
    }
}
