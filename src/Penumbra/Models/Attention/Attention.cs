using Penumbra.Models.Common;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Penumbra.Models.Attention;

/// <summary>
/// diffusers' <c>Attention</c> (attention_processor.py): owns <c>to_q</c>, <c>to_k</c>, <c>to_v</c>,
/// <c>to_out</c> (<c>to_out.0</c> Linear, <c>to_out.1</c> dropout) and, for the VAE mid block, <c>group_norm</c>;
/// the computation is delegated to <see cref="Processor"/> (default <see cref="ScaledDotProductAttentionProcessor"/>).
/// The projections are typed <c>Module&lt;Tensor, Tensor&gt;</c> so that SegMoE can put a sparse mixture of experts in
/// their place with <see cref="Common.ModuleReplacer"/>; the processor only ever calls them with their input tensor.
/// </summary>
public sealed class Attention : nn.Module<Tensor, Tensor?, Tensor>
{
    private readonly GroupNorm? group_norm;
    private readonly nn.Module<Tensor, Tensor> to_q;
    private readonly nn.Module<Tensor, Tensor> to_k;
    private readonly nn.Module<Tensor, Tensor> to_v;
    private readonly ModuleList<nn.Module<Tensor, Tensor>> to_out;

    /// <param name="queryDim">Channels of the input (and, by default, of the output).</param>
    /// <param name="crossAttentionDim">Channels of the context; null means self-attention (context = input).</param>
    /// <param name="heads">Number of heads.</param>
    /// <param name="dimHead">Channels per head; the projections have <c>heads * dimHead</c> outputs.</param>
    /// <param name="normNumGroups">When set, a <c>group_norm</c> is applied to the input first (VAE mid block).</param>
    public Attention(long queryDim, long? crossAttentionDim = null, int heads = 8, int dimHead = 64, double dropout = 0.0,
        bool bias = false, bool upcastAttention = false, bool upcastSoftmax = false, long? normNumGroups = null,
        double eps = 1e-5, bool residualConnection = false, double rescaleOutputFactor = 1.0, bool outBias = true)
        : base(nameof(Attention))
    {
        long inner = (long)heads * dimHead;
        long context = crossAttentionDim ?? queryDim;
        group_norm = normNumGroups is long g ? GroupNorms.Create(g, queryDim, eps) : null;
        to_q = nn.Linear(queryDim, inner, hasBias: bias);
        to_k = nn.Linear(context, inner, hasBias: bias);
        to_v = nn.Linear(context, inner, hasBias: bias);
        to_out = nn.ModuleList<nn.Module<Tensor, Tensor>>(nn.Linear(inner, queryDim, hasBias: outBias), nn.Dropout(dropout));
        Heads = heads;
        DimHead = dimHead;
        UpcastAttention = upcastAttention;
        UpcastSoftmax = upcastSoftmax;
        ResidualConnection = residualConnection;
        RescaleOutputFactor = rescaleOutputFactor;
        RegisterComponents();
    }

    public int Heads { get; }
    public int DimHead { get; }
    /// <summary>Compute attention scores in float32 even for half-precision inputs (SD 2.x sets <c>upcast_attention</c>).</summary>
    public bool UpcastAttention { get; }
    public bool UpcastSoftmax { get; }
    public bool ResidualConnection { get; }
    public double RescaleOutputFactor { get; }
    /// <summary>The scale diffusers applies to q·kᵀ (<c>dim_head^-0.5</c>).</summary>
    public double Scale => 1.0 / Math.Sqrt(DimHead);

    public IAttentionProcessor Processor { get; set; } = ScaledDotProductAttentionProcessor.Instance;

    public GroupNorm? GroupNorm => group_norm;
    public nn.Module<Tensor, Tensor> ToQ => to_q;
    public nn.Module<Tensor, Tensor> ToK => to_k;
    public nn.Module<Tensor, Tensor> ToV => to_v;
    /// <summary><c>to_out.0</c>, the output projection.</summary>
    public nn.Module<Tensor, Tensor> ToOut => to_out[0];
    /// <summary><c>to_out.1</c>, the output dropout.</summary>
    public nn.Module<Tensor, Tensor> OutDropout => to_out[1];

    public override Tensor forward(Tensor hiddenStates, Tensor? encoderHiddenStates) =>
        Processor.Process(this, hiddenStates, encoderHiddenStates);
}
