using Penumbra.Pipelines.StableDiffusion;
using static TorchSharp.torch;

namespace Penumbra.Uncertainty;

/// <summary>Embedding-distance baseline: a prompt's text embedding is the mean of the text encoder's last hidden states over
/// its tokens (start and end token included, padding excluded), the embedding the UNet is conditioned on; its distance to a
/// reference prompt set is the cosine distance (1 − cos) to the nearest reference prompt.</summary>
public sealed class PromptEmbeddingDistance : IDisposable
{
    private readonly StableDiffusionPipeline _pipe;
    private readonly Tensor _reference;

    public PromptEmbeddingDistance(StableDiffusionPipeline pipe, IReadOnlyList<string> referencePrompts)
    {
        if (referencePrompts.Count == 0) throw new ArgumentException("the reference prompt set is empty", nameof(referencePrompts));
        _pipe = pipe;
        _reference = Embed(referencePrompts);
        ReferenceCount = referencePrompts.Count;
    }

    public int ReferenceCount { get; }

    /// <summary>Cosine distance of each prompt to its nearest reference prompt (0 for a prompt in the set).</summary>
    public double[] Distance(IReadOnlyList<string> prompts)
    {
        if (prompts.Count == 0) return Array.Empty<double>();
        using var scope = NewDisposeScope();
        var e = Embed(prompts);
        var cos = e.matmul(_reference.t());
        return (1 - cos.max(1).values).clamp_min(0).cpu().data<double>().ToArray();
    }

    /// <summary>Unit-norm mean token embeddings [n, D] in float64.</summary>
    private Tensor Embed(IReadOnlyList<string> prompts)
    {
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        var rows = new List<Tensor>();
        for (int start = 0; start < prompts.Count; start += 64)
        {
            var chunk = prompts.Skip(start).Take(64).ToArray();
            using var embeds = _pipe.EncodePrompt(chunk, null, guidance: false);
            var states = embeds.Conditional.to(ScalarType.Float64).cpu();
            for (int i = 0; i < chunk.Length; i++)
                rows.Add(states[i].narrow(0, 0, embeds.TokenCounts[i]).mean(new long[] { 0 }));
        }
        var stacked = stack(rows);
        return scope.MoveToOuter(stacked / stacked.norm(1, true).clamp_min(1e-12));
    }

    public void Dispose() => _reference.Dispose();
}
