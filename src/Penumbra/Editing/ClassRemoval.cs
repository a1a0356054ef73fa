using Penumbra.Classifiers;

namespace Penumbra.Editing;

/// <summary>
/// The class-removal primitive behind H1: b_k → −∞. Class k is never predicted again and every sample keeps its
/// prediction unless it was predicted as k (then it moves to its runner-up), because the argmax order among the
/// other classes is unchanged. One scalar changes.
/// </summary>
public static class ClassRemoval
{
    public static SingleWeightEdit Edit(LinearHead head, int classIndex)
    {
        if (classIndex < 0 || classIndex >= head.NumClasses) throw new ArgumentException($"class {classIndex} is outside 0..{head.NumClasses - 1}");
        return new SingleWeightEdit("class-removal", head.BiasKey, new long[] { classIndex }, head.Bias[classIndex].item<float>(),
            float.NegativeInfinity, double.NaN, new Subclass(classIndex, -1, Array.Empty<int>(), Array.Empty<int>(), "whole class"));
    }

    public static LinearHead Remove(LinearHead head, int classIndex) => SpuriousFeatureEditor.Edited(head, Edit(head, classIndex), 1);

    public static ILinearHeadClassifier Remove(ILinearHeadClassifier model, int classIndex) =>
        SpuriousFeatureEditor.Apply(model, Edit(LinearHead.Of(model), classIndex), 1);
}
