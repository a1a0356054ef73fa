using System.CommandLine;
using Penumbra.Cli;
using Penumbra.Cli.Commands;

var root = new RootCommand("Penumbra: measure and fix text-to-image diffusion models (uncertainty, bias audits, repairs).");
root.Subcommands.Add(InfoCommand.Create());
root.Subcommands.Add(GenerateCommand.Create());
root.Subcommands.Add(ToyCommand.Create());
root.Subcommands.Add(ClassifierCommand.Create());
root.Subcommands.Add(AuditCommand.Create());
root.Subcommands.Add(MoeCommand.Create());
root.Subcommands.Add(QualityCommand.Create());
root.Subcommands.Add(ConvertCommand.Create());
root.Subcommands.Add(DebiasCommand.Create());
root.Subcommands.Add(UncertaintyCommand.Create());
return await CliRunner.InvokeAsync(root, args);
