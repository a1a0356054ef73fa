namespace Penumbra.Cli;

/// <summary>Resolves <c>--model</c>: a given folder, or the toy-world model bundled in the repository's models/ folder.</summary>
public static class ModelLocator
{
    public const string BundledModelName = "toy-segmoe";

    public static string Resolve(string? model)
    {
        if (model is not null)
            return Directory.Exists(model) || File.Exists(model) ? model : throw new DirectoryNotFoundException($"--model {model}: no such folder or file");
        var bundled = FindBundled();
        return bundled ?? throw new DirectoryNotFoundException(
            $"no --model given and the bundled model models/{BundledModelName} was not found above {AppContext.BaseDirectory}");
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
