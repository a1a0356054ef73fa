using System.CommandLine;

namespace Penumbra.Cli.Commands;

/// <summary><c>penumbra classifier train|eval|edit|report</c>: classifiers with a linear head, group accuracy and single-weight editing.</summary>
public static class ClassifierCommand
{
    public static Command Create()
    {
        var cmd = new Command("classifier", "Train, evaluate and edit image classifiers (spurious features, worst-group accuracy)");
        cmd.Subcommands.Add(ClassifierTrainCommand.Create());
        cmd.Subcommands.Add(ClassifierEvalCommand.Create());
        cmd.Subcommands.Add(ClassifierEditCommand.Create());
        cmd.Subcommands.Add(ClassifierReportCommand.Create());
        return cmd;
    }
}
