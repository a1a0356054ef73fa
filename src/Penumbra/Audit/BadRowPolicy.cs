namespace Penumbra.Audit;

/// <summary>What a prompt-set reader does with a malformed row: report it and go on, or report it and stop.</summary>
public enum BadRowPolicy
{
    Skip,
    Fail,
}
