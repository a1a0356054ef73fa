using Penumbra.Classifiers;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Penumbra.Tests.Editing;

/// <summary>A two-layer classifier for editor tests: features = relu(body(x)), logits = fc(features).</summary>
internal sealed class TinyClassifier : nn.Module<Tensor, Tensor>, ILinearHeadClassifier
{
    private readonly Linear body;
    private readonly Linear fc;
    private readonly int _in, _d, _c;

    public TinyClassifier(int inputs, int featureDim, int classes) : base(nameof(TinyClassifier))
    {
        (_in, _d, _c) = (inputs, featureDim, classes);
        body = nn.Linear(inputs, featureDim);
        fc = nn.Linear(featureDim, classes);
        RegisterComponents();
    }

    public nn.Module<Tensor, Tensor> Module => this;
    public string HeadName => "fc";
    public Linear Head => fc;
    public int NumClasses => _c;
    public int FeatureDim => _d;
    public Tensor Features(Tensor x) => nn.functional.relu(body.call(x.flatten(1)));
    public override Tensor forward(Tensor x) => fc.call(Features(x));

    public ILinearHeadClassifier Copy()
    {
        var copy = new TinyClassifier(_in, _d, _c);
        copy.load_state_dict(state_dict());
        return copy;
    }
}
