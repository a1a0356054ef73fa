using System.CommandLine;
using Penumbra.Cli;

namespace Penumbra.Tests.Cli;

/// <summary>Runs commands in-process as the `penumbra` executable would (CliRunner: errors -> one stderr line, exit 1),
/// capturing stdout and stderr. Callers belong to the "Console" collection.</summary>
internal static class CliHarness
{
    public static (int Code, string Out, string Err) Run(Command command, params string[] args)
    {
        var root = new RootCommand { command };
        var (oldOut, oldErr) = (Console.Out, Console.Error);
        var (stdout, stderr) = (new StringWriter(), new StringWriter());
        Console.SetOut(stdout);
        Console.SetError(stderr);
        try
        {
            int code = CliRunner.InvokeAsync(root, args).GetAwaiter().GetResult();
            return (code, stdout.ToString(), stderr.ToString());
        }
        finally
        {
            Console.SetOut(oldOut);
            Console.SetError(oldErr);
        }
    }
}
