using Penumbra.Models.Clip;
using Penumbra.Models.Common;
using Penumbra.Tokenizers;
using TorchSharp;
using static TorchSharp.torch;

namespace Penumbra.Debias;

/// <summary>
/// A <see cref="BiasAdapterMixture"/> hooked into a CLIP text encoder (no fork of the encoder; hooks only):
/// <list type="number">
/// <item>a forward pre-hook on <c>text_model.embeddings</c> sees the token ids of every call: it removes any special
/// token to get the plain prompt, runs the base encoder on it (hooks bypassed, no_grad) and lets the gate route each row
/// from its EOS state and whether it contains an attribute word (as token ids); rows routed to an expert get the special token inserted before their EOS (if
/// <see cref="BiasAdapterConfig.AppendSpecialToken"/>; a full row loses its last word). The token's id is beyond the
/// encoder's vocabulary, so the encoder sees a placeholder id (0) there;</item>
/// <item>a tap on <c>text_model.embeddings</c> adds (token row − embedding of the placeholder) at those positions, so the
/// position gets the token's own row plus its position embedding;</item>
/// <item>a tap on each adapted <c>text_model.encoder.layers.k</c> adds the routed expert's adapter output to its rows.</item>
/// </list>
/// Rows routed to identity run exactly the base encoder. Only <c>last_hidden_state</c> (what diffusion pipelines use) is
/// adapted consistently: the pooled output of a row with an inserted token is taken at the token, one place before its EOS.
/// Disposing removes the hooks.
/// </summary>
public sealed class BiasAdapterAttachment : IDisposable
{
    private const long Placeholder = 0;
    private const string EmbeddingsPath = "text_model.embeddings";

    private readonly BiasAdapterMixture _mixture;
    private readonly ClipTextModel _encoder;
    private readonly ClipTokenizer _tokenizer;
    private readonly ModuleTaps _taps;
    private readonly Action _removePreHook;
    private readonly Tensor _tokenEmbeddings;
    private bool _bypass;
    private GateDecision[]? _decisions;
    private float[]? _tokenMask;
    private readonly long[][] _attributeWords;

    internal BiasAdapterAttachment(BiasAdapterMixture mixture, ClipTextModel encoder, ClipTokenizer tokenizer)
    {
        var c = mixture.Config;
        if (encoder.Config.HiddenSize != c.HiddenSize || encoder.Config.NumHiddenLayers != c.NumHiddenLayers)
            throw new ArgumentException($"adapters were made for a text encoder with hidden size {c.HiddenSize} and {c.NumHiddenLayers} layers; " +
                                        $"this one has {encoder.Config.HiddenSize} and {encoder.Config.NumHiddenLayers}");
        _mixture = mixture;
        _encoder = encoder;
        _tokenizer = tokenizer;
        TokenId = tokenizer.AddSpecialToken(c.SpecialToken);
        if (TokenId < encoder.Config.VocabSize)
            throw new ArgumentException($"special token '{c.SpecialToken}' is already id {TokenId} of the encoder's vocabulary; choose a new token");
        _attributeWords = mixture.Gate.AttributeWords.Select(w => tokenizer.Encode(w).Select(i => (long)i).ToArray()).Where(w => w.Length > 0).ToArray();
        _tokenEmbeddings = encoder.named_parameters().First(p => p.name == EmbeddingsPath + ".token_embedding.weight").parameter;
        var first = encoder.parameters().First();
        mixture.to(first.dtype).to(first.device);

        var embeddings = (CLIPTextEmbeddings)ModulePaths.Find(encoder, EmbeddingsPath);
        var remover = embeddings.register_forward_pre_hook((_, ids) => Prepare(ids));
        _removePreHook = remover.remove;
        _taps = new ModuleTaps(encoder).Replace(EmbeddingsPath, e => AddToken(e.Output));
        foreach (int layer in c.AdaptedLayers)
            _taps.Replace($"text_model.encoder.layers.{layer}", e => Adapt(layer, e.Output));
    }

    public BiasAdapterMixture Mixture => _mixture;

    /// <summary>The special token's id in the tokenizer (one past the encoder's vocabulary).</summary>
    public long TokenId { get; }

    /// <summary>False: the encoder runs as the base model (for with/without comparisons in one process).</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>The gate's decisions for the rows of the last encoder call (empty when disabled).</summary>
    public IReadOnlyList<GateDecision> LastDecisions => _decisions ?? Array.Empty<GateDecision>();

    /// <summary>The base text encoder's own parameters (frozen during adapter training).</summary>
    public IEnumerable<TorchSharp.Modules.Parameter> EncoderParameters() => _encoder.parameters();

    /// <summary>The gate's decisions for prompts (batch API for reports; runs only the base encoder).</summary>
    public GateDecision[] Route(IReadOnlyList<string> prompts)
    {
        using var scope = NewDisposeScope();
        var ids = Ids(prompts);
        return Decide(ids.data<long>().ToArray(), (int)ids.shape[0], (int)ids.shape[1], out _);
    }

    /// <summary>The adapted last hidden states [n, 77, d] of the prompts (with gradients to the adapters when enabled).</summary>
    public Tensor Encode(IReadOnlyList<string> prompts)
    {
        using var scope = NewDisposeScope();
        using var output = _encoder.Forward(Ids(prompts).to(_tokenEmbeddings.device));
        return scope.MoveToOuter(output.LastHiddenState.alias());
    }

    private Tensor Ids(IReadOnlyList<string> prompts)
    {
        if (prompts.Count == 0) throw new ArgumentException("no prompts", nameof(prompts));
        var rows = prompts.Select(p => _tokenizer.EncodeForModel(p).Ids).ToArray();
        return tensor(rows.SelectMany(r => r).ToArray(), new long[] { rows.Length, rows[0].Length }, ScalarType.Int64);
    }

    private Tensor Prepare(Tensor ids)
    {
        if (_bypass) return ids;
        _decisions = null;
        _tokenMask = null;
        if (!Enabled) return ids;
        int b = (int)ids.shape[0], t = (int)ids.shape[1];
        long[] flat;
        using (var cpu = ids.cpu()) flat = cpu.data<long>().ToArray();
        _decisions = Decide(flat, b, t, out var hasToken);
        var rows = (long[])flat.Clone();
        if (_mixture.Config.AppendSpecialToken)
            for (int i = 0; i < b; i++)
                if (!_decisions[i].IsIdentity && !hasToken[i]) InsertToken(rows.AsSpan(i * t, t));
        var mask = new float[rows.Length];
        bool any = false;
        for (int k = 0; k < rows.Length; k++)
            if (rows[k] == TokenId) { rows[k] = Placeholder; mask[k] = 1; any = true; }
        _tokenMask = any ? mask : null;
        return tensor(rows, new long[] { b, t }, ScalarType.Int64).to(ids.device);
    }

    /// <summary>Gate decisions for id rows (special tokens removed first), from the base encoder's EOS states.</summary>
    private GateDecision[] Decide(long[] flat, int b, int t, out bool[] hasToken)
    {
        var plain = new long[flat.Length];
        var empty = new bool[b];
        var named = new bool[b];
        hasToken = new bool[b];
        for (int i = 0; i < b; i++)
        {
            var row = flat.AsSpan(i * t, t);
            var kept = new List<long>(t);
            foreach (var id in row) if (id != TokenId) kept.Add(id);
            hasToken[i] = kept.Count < t;
            long fill = row[^1] == TokenId ? _tokenizer.EosTokenId : row[^1];
            while (kept.Count < t) kept.Add(fill);
            kept.CopyTo(plain, i * t);
            empty[i] = t > 1 && kept[1] == _tokenizer.EosTokenId;
            named[i] = NamesAttribute(kept);
        }
        _bypass = true;
        try
        {
            using var scope = NewDisposeScope();
            using var noGrad = no_grad();
            using var output = _encoder.Forward(tensor(plain, new long[] { b, t }, ScalarType.Int64).to(_tokenEmbeddings.device));
            return _mixture.Gate.Route(output.PooledOutput, empty, named);
        }
        finally { _bypass = false; }
    }

    private bool NamesAttribute(List<long> row)
    {
        foreach (var word in _attributeWords)
            for (int k = 0; k + word.Length <= row.Count; k++)
                if (row.Skip(k).Take(word.Length).SequenceEqual(word)) return true;
        return false;
    }

    /// <summary>[BOS w1 .. wn EOS pad ..] → [BOS w1 .. wn TOK EOS pad ..]; a full row drops its last word.</summary>
    private void InsertToken(Span<long> row)
    {
        int t = row.Length;
        int eos = -1;
        for (int k = 1; k < t; k++) if (row[k] == _tokenizer.EosTokenId) { eos = k; break; }
        if (eos < 0 || eos >= t - 1)
        {
            long last = row[t - 1];
            row[t - 2] = TokenId;
            row[t - 1] = eos < 0 ? _tokenizer.EosTokenId : last;
            return;
        }
        for (int k = t - 1; k > eos; k--) row[k] = row[k - 1];
        row[eos] = TokenId;
    }

    private Tensor AddToken(Tensor embedded)
    {
        if (_bypass || _tokenMask is null) return embedded;
        var mask = tensor(_tokenMask, new long[] { embedded.shape[0], embedded.shape[1], 1 }).to(embedded.dtype).to(embedded.device);
        var delta = _mixture.SpecialTokenEmbedding - _tokenEmbeddings[Placeholder];
        return embedded + mask * delta;
    }

    private Tensor Adapt(int layer, Tensor hidden)
    {
        if (_bypass || _decisions is null) return hidden;
        for (int e = 0; e < _mixture.ExpertCount; e++)
        {
            var rows = Enumerable.Range(0, _decisions.Length).Where(i => _decisions[i].Expert == e).Select(i => (long)i).ToArray();
            if (rows.Length == 0) continue;
            var index = tensor(rows, ScalarType.Int64).to(hidden.device);
            var delta = _mixture.Expert(e).ForLayer(layer).call(hidden.index_select(0, index));
            hidden = hidden.index_add(0, index, delta, 1);
        }
        return hidden;
    }

    public void Dispose()
    {
        _removePreHook();
        _taps.Dispose();
    }
}
