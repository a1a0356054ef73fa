namespace Penumbra.Toy;

/// <summary>Recognises the shape in a toy image whose foreground has been measured (the checker's shape step).</summary>
public interface IToyShapeRecognizer
{
    ToyShape Recognize(ToyImage image, ToyForeground foreground);
}
