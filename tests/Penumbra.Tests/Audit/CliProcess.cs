using System.Diagnostics;
using System.Text;

namespace Penumbra.Tests.Audit;

/// <summary>Runs the penumbra CLI (Penumbra.Cli.dll from the test output folder) in a child process.</summary>
public sealed class CliProcess : IDisposable
{
    private readonly StringBuilder stdout = new(), stderr = new();

    public Process Process { get; }

    public CliProcess(params string[] args)
    {
        var psi = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        };
        psi.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Penumbra.Cli.dll"));
        foreach (var a in args) psi.ArgumentList.Add(a);
        Process = Process.Start(psi)!;
        Process.OutputDataReceived += (_, e) => { if (e.Data != null) lock (stdout) stdout.AppendLine(e.Data); };
        Process.ErrorDataReceived += (_, e) => { if (e.Data != null) lock (stderr) stderr.AppendLine(e.Data); };
        Process.BeginOutputReadLine();
        Process.BeginErrorReadLine();
    }

    public string StandardOutput { get { lock (stdout) return stdout.ToString(); } }
    public string StandardError { get { lock (stderr) return stderr.ToString(); } }

    public static (int ExitCode, string Stdout, string Stderr) Run(params string[] args)
    {
        using var p = new CliProcess(args);
        if (!p.Process.WaitForExit(120_000)) throw new TimeoutException("penumbra " + string.Join(" ", args));
        p.Process.WaitForExit();
        return (p.Process.ExitCode, p.StandardOutput, p.StandardError);
    }

    /// <summary>SIGKILL on Linux/macOS (kill -9): no handler, no flush, no cleanup.</summary>
    public void KillHard()
    {
        if (!Process.HasExited) Process.Kill(entireProcessTree: true);
        Process.WaitForExit();
    }

    public void Dispose()
    {
        KillHard();
        Process.Dispose();
    }
}
