using Penumbra.Imaging;
using Penumbra.Toy;

namespace Penumbra.Classifiers;

/// <summary>The checker's shape step by a trained <see cref="ToyShapeCnn"/> (use the clean one) whose class names are shape words.</summary>
public sealed class ToyShapeCnnRecognizer : IToyShapeRecognizer
{
    private readonly ToyShapeCnn model;
    private readonly ToyShape[] shapes;

    public ToyShapeCnnRecognizer(ToyShapeCnn model)
    {
        this.model = model;
        shapes = model.Config.ClassNames.Select(name => ToyCaptionParser.Parse(name).Shape
            ?? throw new ArgumentException($"class name '{name}' of the toy shape CNN is not a shape word")).ToArray();
        if (shapes.Length != model.NumClasses) throw new ArgumentException("the toy shape CNN needs one shape word per class in class_names");
    }

    public ToyShape Recognize(RgbImage image, ToyForeground foreground)
    {
        using var x = image.ToTensorMinus1To1().unsqueeze(0);
        return shapes[model.Predict(x)[0]];
    }
}
