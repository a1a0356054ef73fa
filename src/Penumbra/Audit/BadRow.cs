namespace Penumbra.Audit;

/// <summary>A malformed row of a prompt set: file, 1-based line number and the reason.</summary>
public sealed record BadRow(string File, long Line, string Reason)
{
    public override string ToString() => $"{File}:{Line}: {Reason}";
}
