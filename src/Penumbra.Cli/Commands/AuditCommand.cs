using System.CommandLine;

namespace Penumbra.Cli.Commands;

/// <summary>`penumbra audit run|merge|export|report`: score prompt sets at scale, combine shards, export, report.</summary>
public static class AuditCommand
{
    public static Command Create()
    {
        var cmd = new Command("audit", "Audit a model over a prompt set: resumable, shardable runs into SQLite, exports and an HTML/Markdown report");
        cmd.Subcommands.Add(AuditRunCommand.Create());
        cmd.Subcommands.Add(AuditMergeCommand.Create());
        cmd.Subcommands.Add(AuditExportCommand.Create());
        cmd.Subcommands.Add(AuditReportCommand.Create());
        cmd.Subcommands.Add(AuditToyCommand.Create());
        return cmd;
    }
}
