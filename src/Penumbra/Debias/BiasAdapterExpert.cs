using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Penumbra.Debias;

/// <summary>One BiAs expert: a <see cref="BiasAdapter"/> for each adapted encoder layer (<c>adapters.k</c> belongs to
/// layer <see cref="Layers"/>[k]). It acts on every token of the prompts routed to it.</summary>
public sealed class BiasAdapterExpert : nn.Module
{
    private readonly ModuleList<BiasAdapter> adapters;

    public BiasAdapterExpert(int hiddenSize, int rank, IReadOnlyList<int> layers, double layerNormEps, Generator generator)
        : base(nameof(BiasAdapterExpert))
    {
        Layers = layers.ToArray();
        adapters = new ModuleList<BiasAdapter>();
        foreach (var _ in Layers) adapters.Add(new BiasAdapter(hiddenSize, rank, layerNormEps, generator));
        RegisterComponents();
    }

    public IReadOnlyList<int> Layers { get; }

    /// <summary>The adapter of encoder layer <paramref name="layer"/>.</summary>
    public BiasAdapter ForLayer(int layer)
    {
        int k = Array.IndexOf((int[])Layers, layer);
        if (k < 0) throw new ArgumentException($"layer {layer} has no adapter (adapted layers: {string.Join(",", Layers)})", nameof(layer));
        return adapters[k];
    }
}
