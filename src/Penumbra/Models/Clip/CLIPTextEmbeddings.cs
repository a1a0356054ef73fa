using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Penumbra.Models.Clip;

/// <summary>transformers' <c>CLIPTextEmbeddings</c>: token plus learned position embedding. The positions
/// (transformers' non-persistent <c>position_ids</c> buffer) are made on the fly.</summary>
public sealed class CLIPTextEmbeddings : nn.Module<Tensor, Tensor>
{
    private readonly Embedding token_embedding;
    private readonly Embedding position_embedding;
    private readonly int _maxPositions;

    public CLIPTextEmbeddings(int vocabSize, int hiddenSize, int maxPositions) : base(nameof(CLIPTextEmbeddings))
    {
        _maxPositions = maxPositions;
        token_embedding = nn.Embedding(vocabSize, hiddenSize);
        position_embedding = nn.Embedding(maxPositions, hiddenSize);
        RegisterComponents();
    }

    public override Tensor forward(Tensor inputIds)
    {
        long length = inputIds.shape[^1];
        if (length > _maxPositions)
            throw new ArgumentException($"sequence length {length} exceeds max_position_embeddings {_maxPositions}");
        using var scope = NewDisposeScope();
        var positions = torch.arange(length, dtype: int64, device: inputIds.device).unsqueeze(0);
        return scope.MoveToOuter(token_embedding.call(inputIds) + position_embedding.call(positions));
    }
}
