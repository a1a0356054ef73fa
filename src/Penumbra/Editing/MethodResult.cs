namespace Penumbra.Editing;

/// <summary>Test accuracy of one method for one seed; <see cref="Average"/> is weighted by the training group mix.</summary>
public sealed record MethodResult(string Method, GroupAccuracy Test, double Average)
{
    public double Worst => Test.Worst;
}
