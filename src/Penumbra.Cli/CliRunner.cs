using System.CommandLine;
using Penumbra.IO;

namespace Penumbra.Cli;

/// <summary>Runs the parsed command; library errors become one line on stderr and exit code 1
/// (stack trace only with PENUMBRA_VERBOSE=1 or --verbose).</summary>
public static class CliRunner
{
    public static async Task<int> InvokeAsync(RootCommand root, string[] args)
    {
        bool verbose = args.Contains("--verbose") || Environment.GetEnvironmentVariable("PENUMBRA_VERBOSE") == "1";
        args = args.Where(a => a != "--verbose").ToArray();
        try
        {
            var config = new InvocationConfiguration { EnableDefaultExceptionHandler = false };
            return await root.Parse(args).InvokeAsync(config);
        }
        catch (Exception e) when (e is CheckpointFormatException or FileNotFoundException or DirectoryNotFoundException
                                       or ArgumentException or InvalidOperationException or InvalidDataException
                                       or NotSupportedException or KeyNotFoundException or OperationCanceledException)
        {
            Console.Error.WriteLine($"error: {e.Message}");
            if (verbose) Console.Error.WriteLine(e);
            return e is OperationCanceledException ? 130 : 1;
        }
    }
}
