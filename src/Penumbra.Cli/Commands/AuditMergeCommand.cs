using System.CommandLine;
using Penumbra.Audit;

namespace Penumbra.Cli.Commands;

/// <summary>`penumbra audit merge`: combine shard databases of one run config into a new database.</summary>
public static class AuditMergeCommand
{
    public static Command Create()
    {
        var inputs = new Argument<string[]>("shards") { Description = "Shard databases to combine", Arity = ArgumentArity.OneOrMore };
        var output = new Option<string>("--output", "-o") { Description = "The merged database (must not exist)", Required = true };
        var cmd = new Command("merge", "Combine shard databases (same run config, distinct shards) into one") { inputs, output };
        cmd.SetAction(pr =>
        {
            var s = AuditMerge.Merge(pr.GetRequiredValue(inputs), pr.GetRequiredValue(output));
            Console.WriteLine($"{pr.GetValue(output)}: {s.Inputs} database(s), shards {string.Join(",", s.Shards)} of {s.ShardCount}, {s.Prompts} prompts, {s.Results} result rows");
            if (s.MissingShards.Count > 0) Console.Error.WriteLine($"warning: shards {string.Join(",", s.MissingShards)} of {s.ShardCount} are missing");
            return 0;
        });
        return cmd;
    }
}
