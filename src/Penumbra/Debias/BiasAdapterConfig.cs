using System.Text.Json;
using System.Text.Json.Serialization;

namespace Penumbra.Debias;

/// <summary>
/// <c>adapter_config.json</c> of a MoESD adapter folder. Every choice the spec leaves unverified ([U]) is a field with
/// the spec's default: rank 64, all layers, two experts (one per skew sign), the special token appended when routed and
/// trained, gate threshold τ = 0, λ = 500.
/// </summary>
public sealed record BiasAdapterConfig
{
    /// <summary>Hidden size and layer count of the text encoder the adapters were made for (checked on attach).</summary>
    public int HiddenSize { get; init; }
    public int NumHiddenLayers { get; init; }
    public double LayerNormEps { get; init; } = 1e-5;

    /// <summary>Bottleneck width r [U, default 64].</summary>
    public int Rank { get; init; } = 64;

    /// <summary>Encoder layers that get an adapter (0-based) [U, default: all]. Null: all.</summary>
    public IReadOnlyList<int>? Layers { get; init; }

    /// <summary>Number of experts: 2 (one per skew sign, the spec) or 1.</summary>
    public int Experts { get; init; } = 2;

    public string SpecialToken { get; init; } = "<bias>";

    /// <summary>Append the special token to prompts routed to an expert [V exists, U details]; false is the ablation.</summary>
    public bool AppendSpecialToken { get; init; } = true;

    /// <summary>Whether the token's embedding row is trained (else it stays at its initial value).</summary>
    public bool TrainSpecialToken { get; init; } = true;

    public BiasGateOptions Gate { get; init; } = new();
    public BiasSubspaceSpec Subspace { get; init; } = new();

    /// <summary>The calibrated explicit-attribute threshold of the subspace (written on save).</summary>
    public double CalibratedExplicitThreshold { get; init; }

    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Extra { get; init; }

    [JsonIgnore]
    public IReadOnlyList<int> AdaptedLayers => Layers ?? Enumerable.Range(0, NumHiddenLayers).ToArray();

    /// <summary>Throws <see cref="ArgumentException"/> naming the first invalid field.</summary>
    public void Validate()
    {
        if (HiddenSize < 1 || NumHiddenLayers < 1) throw new ArgumentException($"hidden_size {HiddenSize} and num_hidden_layers {NumHiddenLayers} must be positive");
        if (Rank < 1) throw new ArgumentException($"rank {Rank} must be at least 1");
        if (Experts is < 1 or > 2) throw new ArgumentException($"experts {Experts} must be 1 or 2");
        if (string.IsNullOrWhiteSpace(SpecialToken)) throw new ArgumentException("special_token must not be empty");
        var layers = AdaptedLayers;
        if (layers.Count == 0) throw new ArgumentException("layers must name at least one encoder layer");
        foreach (var l in layers)
            if (l < 0 || l >= NumHiddenLayers) throw new ArgumentException($"layer {l} is outside the encoder's 0..{NumHiddenLayers - 1}");
        if (layers.Distinct().Count() != layers.Count) throw new ArgumentException($"layers [{string.Join(",", layers)}] repeat a layer");
        Subspace.Validate();
    }

    /// <summary>One line per unverified choice, for CLI output and reports.</summary>
    public IEnumerable<string> Describe()
    {
        yield return $"rank r = {Rank} [U, spec default 64]";
        yield return $"adapted layers = {string.Join(",", AdaptedLayers)} of {NumHiddenLayers} [U, spec default: all]";
        yield return $"experts = {Experts} (one per skew sign) + identity [U/S, spec: top-1, hard]";
        yield return $"special token '{SpecialToken}': appended when routed = {AppendSpecialToken}, trained = {TrainSpecialToken} [U]";
        yield return $"gate: threshold tau = {Gate.Threshold} [U, spec default 0], gate on = {Gate.UseGate}, route empty prompt = {Gate.RouteEmptyPrompt}";
        yield return $"gate identity rule: attribute words = {(Gate.AttributeWords is { } w ? (w.Count == 0 ? "off" : string.Join(",", w)) : "the pair values")}; " +
                     $"energy rule = {(Gate.UseEnergyRule ? $"on, threshold {Gate.ExplicitThreshold?.ToString("G4") ?? $"calibrated {CalibratedExplicitThreshold:G4}"}" : "off")}";
        yield return $"subspace: lambda = {Subspace.Lambda} [DebiasVL default 500], {Subspace.Pairs.Count} pair(s), {Subspace.Items.Count} item(s), " +
                     $"template \"{Subspace.Template}\"";
    }
}
