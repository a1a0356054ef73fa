namespace Penumbra.Cli;

/// <summary>Resolves <c>--model</c>: a given folder, or a toy-world model bundled in the repository's models/ folder.</summary>
public static class ModelLocator
{
    public const string BundledModelName = "toy-segmoe";

    /// <summary>The bundled mixture whose experts each miss one colour: the default of <c>penumbra uncertainty</c>, whose EU
    /// separates what the experts saw from what they did not (the fine-tunes of <see cref="BundledModelName"/> agree on it).</summary>
    public const string EmoeModelName = "toy-segmoe-colours";

    /// <summary><paramref name="model"/> if it exists, else (null) the bundled model named <paramref name="bundledName"/>.</summary>
    public static string Resolve(string? model, string bundledName = BundledModelName)
    {
        if (model is not null)
            return Directory.Exists(model) || File.Exists(model) ? model : throw new DirectoryNotFoundException($"--model {model}: no such folder or file");
        return FindInRepository(bundledName) ?? throw new DirectoryNotFoundException(
            $"no --model given and the bundled model models/{bundledName} was not found above {AppContext.BaseDirectory}");
    }

    public static string? FindBundled() => FindInRepository(BundledModelName);

    /// <summary>A folder under models/ of the repository this program was built from (searched upwards from the binary).</summary>
    public static string? FindInRepository(string name)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir != null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "models", name);
            if (Directory.Exists(candidate)) return candidate;
        }
        return null;
    }
}
