namespace Penumbra.Audit;

/// <summary>One row of the results table: image index -1 holds the prompt-level scores of (prompt, seed), 0..N-1
/// the metrics and attributes of each image. Maps are canonical JSON (<see cref="ScoreJson"/>); paths are relative
/// to the database's folder.</summary>
public sealed record StoredResult(string PromptId, long Seed, int ImageIndex, string Scores, string Attributes, string? ImagePath, string? MapPath)
{
    public const int PromptLevel = -1;
}
