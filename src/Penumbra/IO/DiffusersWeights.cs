namespace Penumbra.IO;

/// <summary>
/// Finds the weight file of one component folder of a diffusers pipeline, by the names diffusers and transformers
/// save under: <c>diffusion_pytorch_model.safetensors</c> (diffusers models) or <c>model.safetensors</c>
/// (transformers models), each possibly sharded (<c>*.safetensors.index.json</c>), and with a variant such as
/// <c>fp16</c>: <c>diffusion_pytorch_model.fp16.safetensors</c>, <c>model.fp16.safetensors</c>, and the sharded index
/// names <c>….safetensors.fp16.index.json</c> (diffusers) / <c>….safetensors.index.fp16.json</c> (transformers).
/// Pickle checkpoints (<c>.bin</c>, <c>.ckpt</c>) are never loaded: finding only those is an error that says to convert.
/// </summary>
public static class DiffusersWeights
{
    public const string DiffusersBaseName = "diffusion_pytorch_model";
    public const string TransformersBaseName = "model";

    private static readonly string[] BaseNames = { DiffusersBaseName, TransformersBaseName };
    private static readonly string[] PickleExtensions = { ".bin", ".ckpt", ".pt", ".pth", ".pkl" };

    /// <summary>The file names tried, in order, for <paramref name="variant"/> (null: the plain names).</summary>
    public static IReadOnlyList<string> CandidateNames(string? variant)
    {
        var names = new List<string>();
        foreach (var b in BaseNames)
            if (variant is null)
            {
                names.Add($"{b}.safetensors");
                names.Add($"{b}.safetensors.index.json");
            }
            else
            {
                names.Add($"{b}.{variant}.safetensors");
                names.Add($"{b}.safetensors.{variant}.index.json");
                names.Add($"{b}.safetensors.index.{variant}.json");
            }
        return names;
    }

    /// <summary>The path of the component's weight file (a .safetensors file or a sharded index), or a
    /// <see cref="CheckpointFormatException"/> naming the folder and saying what is there instead.</summary>
    public static string Resolve(string componentDir, string? variant = null)
    {
        if (!Directory.Exists(componentDir))
            throw new DirectoryNotFoundException($"{componentDir}: component folder not found");
        if (variant is not null && (variant.Length == 0 || variant.IndexOfAny(new[] { '/', '\\', '.' }) >= 0))
            throw new ArgumentException($"variant '{variant}' is not a plain name such as 'fp16'");
        foreach (var name in CandidateNames(variant))
        {
            string p = Path.Combine(componentDir, name);
            if (File.Exists(p)) return p;
        }

        var present = Directory.EnumerateFiles(componentDir).Select(Path.GetFileName).OfType<string>().Order(StringComparer.Ordinal).ToList();
        var pickles = present.Where(f => PickleExtensions.Contains(Path.GetExtension(f).ToLowerInvariant())
                                         || f.EndsWith(".bin.index.json", StringComparison.OrdinalIgnoreCase)).ToList();
        var otherVariants = present.Where(f => IsWeightName(f) && !CandidateNames(variant).Contains(f)).ToList();
        string wanted = variant is null ? "diffusion_pytorch_model.safetensors or model.safetensors (or a sharded .safetensors.index.json)"
            : $"'{variant}' variant ({DiffusersBaseName}.{variant}.safetensors or {TransformersBaseName}.{variant}.safetensors, or a sharded index)";
        if (otherVariants.Count > 0)
            throw new CheckpointFormatException(componentDir,
                $"no {wanted}; found {string.Join(", ", otherVariants)}: " + (variant is null ? "pass the variant" : "choose the variant that is present"));
        if (pickles.Count > 0)
            throw new CheckpointFormatException(componentDir,
                $"no {wanted}; only a PyTorch pickle checkpoint is present ({string.Join(", ", pickles)}), which is not supported (pickles are never executed): convert it to safetensors");
        throw new CheckpointFormatException(componentDir, variant is null ? $"no weight file: expected {wanted}" : $"no {wanted}");
    }

    /// <summary>Opens the component's weights as one tensor source (sharded or not).</summary>
    public static SafetensorsTensorSource Open(string componentDir, string? variant = null) =>
        SafetensorsTensorSource.Open(Resolve(componentDir, variant));

    /// <summary>A safetensors weight file or index of one of the known base names, with or without a variant.</summary>
    private static bool IsWeightName(string file) =>
        BaseNames.Any(b => file.StartsWith(b + ".", StringComparison.Ordinal))
        && (file.EndsWith(".safetensors", StringComparison.Ordinal) || (file.EndsWith(".json", StringComparison.Ordinal) && file.Contains(".index")));
}
