using Penumbra.Imaging;

namespace Penumbra.Toy;

/// <summary>Recognises the shape in a toy image whose foreground has been measured (the checker's shape step).</summary>
public interface IToyShapeRecognizer
{
    ToyShape Recognize(RgbImage image, ToyForeground foreground);
}
