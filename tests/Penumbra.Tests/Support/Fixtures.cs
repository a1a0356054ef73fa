namespace Penumbra.Tests.Support;

/// <summary>Locates the reference fixtures: <c>PENUMBRA_FIXTURES</c>, else <c>../shared/fixtures</c> beside the repository.</summary>
public static class Fixtures
{
    public static string Root { get; } = Locate();

    public static string Path(params string[] parts) => System.IO.Path.Combine(new[] { Root }.Concat(parts).ToArray());

    public static string RepoRoot
    {
        get
        {
            var dir = new DirectoryInfo(AppContext.BaseDirectory);
            while (dir != null && !File.Exists(System.IO.Path.Combine(dir.FullName, "Penumbra.sln"))) dir = dir.Parent;
            return dir?.FullName ?? throw new InvalidOperationException("Penumbra.sln not found above " + AppContext.BaseDirectory);
        }
    }

    private static string Locate()
    {
        var env = Environment.GetEnvironmentVariable("PENUMBRA_FIXTURES");
        var root = !string.IsNullOrEmpty(env) ? env : System.IO.Path.Combine(RepoRoot, "..", "shared", "fixtures");
        root = System.IO.Path.GetFullPath(root);
        if (!Directory.Exists(root))
            throw new DirectoryNotFoundException($"fixtures folder not found: {root} (set PENUMBRA_FIXTURES)");
        return root;
    }
}
