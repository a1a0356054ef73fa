namespace Penumbra.Audit;

/// <summary>One row of the prompts table (groups as canonical JSON, label "in", "out" or "").</summary>
public sealed record StoredPrompt(string PromptId, string Text, string Groups, string Label, long Line)
{
    public static StoredPrompt From(PromptRecord p) =>
        new(p.Id, p.Text, ScoreJson.Write(p.Groups), PromptLabels.Describe(p.OutOfDistribution), p.Line);

    public PromptRecord ToRecord()
    {
        PromptLabels.TryParse(Label, out var ood);
        return new PromptRecord(PromptId, Text, ScoreJson.ReadStrings(Groups), ood, Line);
    }
}
