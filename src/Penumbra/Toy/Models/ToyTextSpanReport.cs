using Penumbra.Models.Clip;
using Penumbra.Models.Unets;
using Penumbra.Uncertainty;

namespace Penumbra.Toy.Models;

/// <summary>Per expert: the rank of its captions' state span and the share of each prompt set's state energy outside it
/// (EMoE toy sets: <c>in</c>, <c>unseen</c>, <c>finnish</c>; and <c>own unseen</c>: captions stating a value the expert's
/// data leave out).</summary>
public sealed record ToyTextSpanRow(string Expert, long Rank, long Width, IReadOnlyDictionary<string, double> EnergyOutside);

/// <summary>Per cross-attention text projection: the mean over expert pairs of <see cref="ToyTextSpan.OutOfSpanSpread"/>
/// outside the span of the whole domain's captions (directions no expert was trained on).</summary>
public sealed record ToyTextSpreadRow(string Weight, double MeanSpread, double MinSpread, double MaxSpread);

public sealed record ToyTextSpanResult(IReadOnlyList<ToyTextSpanRow> Experts, IReadOnlyList<ToyTextSpreadRow> Weights, long DomainRank);

/// <summary>Measures where the toy's caption states lie relative to each expert's training captions, and whether the
/// experts' text projections still differ where no caption reached (see <see cref="ToyTextSpan"/>).</summary>
public static class ToyTextSpanReport
{
    public const string OwnUnseenSet = "own unseen";

    /// <param name="expertsFolder">A <c>toy train</c> output: one pipeline folder per expert of <paramref name="experts"/>.</param>
    /// <param name="experts">The specs the run was trained with (default the experts of <paramref name="set"/>), whose data give each span.</param>
    /// <param name="set">The expert set the run was trained with (default <see cref="ToyExpertSet.Concepts"/>): it decides the prompt sets.</param>
    public static ToyTextSpanResult Run(ToyModelBuilder builder, string expertsFolder, int captionsPerExpert = 3000, double relativeTolerance = 1e-4,
        int promptsPerSet = 40, int dataSeed = 11, IReadOnlyList<ToyExpertSpec>? experts = null, ToyExpertSet? set = null)
    {
        set ??= ToyExpertSet.Concepts;
        experts ??= set.Experts;
        if (captionsPerExpert < 1) throw new ArgumentOutOfRangeException(nameof(captionsPerExpert), captionsPerExpert, "at least 1 caption");
        string Folder(ToyExpertSpec e) => Path.Combine(expertsFolder, e.Name);
        foreach (var e in experts)
            if (!Directory.Exists(Folder(e))) throw new DirectoryNotFoundException($"{Folder(e)}: no expert folder (expected a toy train output with {string.Join(", ", experts.Select(x => x.Name))})");
        using var textEncoder = ClipTextModel.FromPretrained(Path.Combine(Folder(experts[0]), "text_encoder"));
        TorchSharp.torch.Tensor Encode(IEnumerable<string> captions)
        {
            var list = captions.ToList();
            var parts = new List<TorchSharp.torch.Tensor>();
            for (int i = 0; i < list.Count; i += 256)
                using (var h = builder.Encode(textEncoder, list.Skip(i).Take(256).ToList()))
                    parts.Add(h.reshape(-1, h.shape[^1]).to(TorchSharp.torch.ScalarType.Float64));
            var all = TorchSharp.torch.cat(parts.ToArray(), 0);
            foreach (var p in parts) p.Dispose();
            return all;
        }
        var prompts = EmoeToyEvaluation.Prompts(new EmoeToyOptions { PromptsPerSet = promptsPerSet, DataSeed = dataSeed, ExpertSet = set });
        var sets = new[] { EmoeToyEvaluation.InSet, EmoeToyEvaluation.UnseenSet, EmoeToyEvaluation.FinnishSet }
            .ToDictionary(s => s, s => Encode(prompts.Where(p => p.Set == s).Select(p => p.Prompt)));
        var domain = new ToyDataset(new ToyDatasetOptions(), dataSeed + 1).Take(Math.Max(captionsPerExpert, 200) * 4).ToList();
        var rows = new List<ToyTextSpanRow>();
        try
        {
            foreach (var (spec, index) in experts.Select((e, i) => (e, i)))
            {
                // The captions the expert trains on (plus "", the dropped caption), from the stream its training would draw.
                using var states = Encode(new ToyDataset(spec.Data, dataSeed * 1000 + index).Take(captionsPerExpert).Select(s => s.Caption).Append(""));
                using var span = ToyTextSpan.Of(states, relativeTolerance);
                var energy = sets.ToDictionary(kv => kv.Key, kv => span.EnergyOutside(kv.Value));
                var own = domain.Where(s => spec.Data.Omits(s.Stated)).Take(promptsPerSet).Select(s => s.Caption).ToList();
                if (own.Count > 0)
                    using (var ownStates = Encode(own)) energy[OwnUnseenSet] = span.EnergyOutside(ownStates);
                rows.Add(new ToyTextSpanRow(spec.Name, span.Rank, span.Width, energy));
            }
            using var domainStates = Encode(domain.Take(captionsPerExpert).Select(s => s.Caption).Append(""));
            using var domainSpan = ToyTextSpan.Of(domainStates, relativeTolerance);
            var weights = experts.Select(e => UNet2DConditionModel.FromPretrained(Path.Combine(Folder(e), "unet"))).ToArray();
            try
            {
                var dicts = weights.Select(w => w.state_dict()).ToArray();
                var spread = dicts[0].Keys.Where(k => k.EndsWith(".attn2.to_k.weight", StringComparison.Ordinal) || k.EndsWith(".attn2.to_v.weight", StringComparison.Ordinal))
                    .Select(key =>
                    {
                        var values = new List<double>();
                        for (int a = 0; a < dicts.Length; a++)
                            for (int b = a + 1; b < dicts.Length; b++)
                                values.Add(domainSpan.OutOfSpanSpread(dicts[a][key], dicts[b][key]));
                        return new ToyTextSpreadRow(key, values.Average(), values.Min(), values.Max());
                    }).ToList();
                return new ToyTextSpanResult(rows, spread, domainSpan.Rank);
            }
            finally
            {
                foreach (var w in weights) w.Dispose();
            }
        }
        finally
        {
            foreach (var s in sets.Values) s.Dispose();
        }
    }
}
