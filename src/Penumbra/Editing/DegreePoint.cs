namespace Penumbra.Editing;

/// <summary>Accuracy of the edited head at one degree α.</summary>
public sealed record DegreePoint(double Alpha, GroupAccuracy Accuracy);
