using System.CommandLine;
using Penumbra.Audit;
using Penumbra.Debias;

namespace Penumbra.Cli.Commands;

/// <summary>The adapter and gate options of <c>penumbra debias train</c>; every [U] choice of the MoESD spec is one of
/// them, with the spec's default.</summary>
internal sealed class DebiasAdapterOptions
{
    private readonly Option<int> _rank = new("--rank") { Description = "Adapter bottleneck width r [U, spec default 64]", DefaultValueFactory = _ => 64 };
    private readonly Option<int[]> _layers = new("--layers") { Description = "Encoder layers with adapters, 0-based [U, spec default: all]", AllowMultipleArgumentsPerToken = true };
    private readonly Option<int> _experts = new("--experts") { Description = "1, or 2 experts (one per skew sign, the spec)", DefaultValueFactory = _ => 2 };
    private readonly Option<string> _token = new("--special-token") { Description = "The special token added to the tokenizer", DefaultValueFactory = _ => "<bias>" };
    private readonly Option<bool> _noToken = new("--no-special-token") { Description = "Ablation: do not append the special token to routed prompts [spec default: append]" };
    private readonly Option<bool> _freezeToken = new("--freeze-token") { Description = "Keep the token's embedding row at its initial value [U, default: trained]" };
    private readonly Option<bool> _noGate = new("--no-gate") { Description = "Ablation: adapters always on (every non-empty prompt to the expert of its skew sign)" };
    private readonly Option<double> _threshold = new("--threshold") { Description = "Gate threshold tau on |skew| [U, spec default 0]", DefaultValueFactory = _ => 0.0 };
    private readonly Option<string[]> _words = new("--attribute-words") { Description = "Words that name the attribute (prompts with one go to identity); default: the pair values; 'none' turns the rule off", AllowMultipleArgumentsPerToken = true };
    private readonly Option<bool> _energy = new("--energy-rule") { Description = "Also send prompts with energy |z - Pz| >= the explicit threshold to identity" };
    private readonly Option<double?> _explicit = new("--explicit-threshold") { Description = "Energy threshold of --energy-rule (default: calibrated)" };
    private readonly Option<bool> _routeEmpty = new("--route-empty-prompt") { Description = "Let the gate route the empty (unconditional) prompt too [default: identity]" };
    private readonly Option<double> _lambda = new("--lambda") { Description = "DebiasVL lambda of P = (lambda M + I)^-1", DefaultValueFactory = _ => 500.0 };
    private readonly Option<string[]> _pairs = new("--pairs") { Description = "Attribute pairs first:second (e.g. male:female); default: the toy world's red:c pairs", AllowMultipleArgumentsPerToken = true };
    private readonly Option<string?> _items = new("--items") { Description = "Items of the subspace prompts: a file (one per line) or a built-in list (occupation-train, ...)" };
    private readonly Option<string?> _template = new("--template") { Description = "Subspace prompt template with {attribute} and {item} (default: \"A photo of a {attribute} {item}.\" with --pairs)" };

    public static DebiasAdapterOptions Create() => new();

    public void AddTo(Command cmd)
    {
        foreach (var o in new Option[] { _rank, _layers, _experts, _token, _noToken, _freezeToken, _noGate, _threshold, _words, _energy, _explicit, _routeEmpty, _lambda, _pairs, _items, _template })
            cmd.Options.Add(o);
    }

    public BiasAdapterConfig Read(ParseResult pr)
    {
        double lambda = pr.GetValue(_lambda);
        var pairs = pr.GetValue(_pairs);
        BiasSubspaceSpec spec;
        if (pairs is null || pairs.Length == 0)
        {
            if (pr.GetValue(_items) is not null || pr.GetValue(_template) is not null)
                throw new ArgumentException("--items and --template need --pairs (without them the toy world's colour subspace is used)");
            spec = ToyDebiasWorld.SubspaceSpec(lambda);
        }
        else
        {
            string items = pr.GetValue(_items) ?? throw new ArgumentException("--pairs needs --items (a file, or a built-in list such as occupation-train)");
            spec = new BiasSubspaceSpec
            {
                Pairs = pairs.Select(ParsePair).ToArray(),
                Items = ValueLists.IsBuiltIn(items) ? ValueLists.BuiltIn(items) : ValueLists.ReadFile(items),
                Template = pr.GetValue(_template) ?? new BiasSubspaceSpec().Template,
                Lambda = lambda,
            };
        }
        var layers = pr.GetValue(_layers);
        return new BiasAdapterConfig
        {
            Rank = pr.GetValue(_rank), Layers = layers is { Length: > 0 } ? layers : null, Experts = pr.GetValue(_experts),
            SpecialToken = pr.GetRequiredValue(_token), AppendSpecialToken = !pr.GetValue(_noToken), TrainSpecialToken = !pr.GetValue(_freezeToken),
            Gate = new BiasGateOptions
            {
                Threshold = pr.GetValue(_threshold), ExplicitThreshold = pr.GetValue(_explicit), UseEnergyRule = pr.GetValue(_energy),
                AttributeWords = pr.GetValue(_words) is { Length: > 0 } w ? (w is ["none"] ? Array.Empty<string>() : w) : null, UseGate = !pr.GetValue(_noGate),
                RouteEmptyPrompt = pr.GetValue(_routeEmpty),
            },
            Subspace = spec,
        };
    }

    private static AttributePair ParsePair(string text)
    {
        var parts = text.Split(':');
        if (parts.Length != 2 || parts.Any(string.IsNullOrWhiteSpace))
            throw new ArgumentException($"--pairs '{text}': expected first:second, e.g. male:female");
        return new AttributePair(parts[0].Trim(), parts[1].Trim());
    }
}
