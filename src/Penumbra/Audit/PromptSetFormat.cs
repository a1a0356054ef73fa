namespace Penumbra.Audit;

/// <summary>Prompt-set file formats; <see cref="Auto"/> picks by extension (.csv, .tsv, .jsonl/.ndjson, else plain text).</summary>
public enum PromptSetFormat
{
    Auto,
    Csv,
    Tsv,
    Jsonl,
    Text,
}
