using System.CommandLine;
using System.Globalization;
using Penumbra.Toy.Models;
using Penumbra.Uncertainty;
using Spectre.Console;

namespace Penumbra.Cli.Commands;

/// <summary><c>penumbra uncertainty evaluate-toy</c>: EMoE's direction on the toy world (AUROC in vs out of distribution
/// against the baselines, Spearman with the checker score, Finnish vs English), reproducible from its options.</summary>
public static class UncertaintyToyCommand
{
    public static Command Create()
    {
        var model = new Option<string?>("--model") { Description = $"SegMoE toy-world folder (default: the bundled models/{ModelLocator.EmoeModelName})" };
        var perSet = new Option<int>("--prompts") { Description = "Prompts per set (in, unseen, finnish)", DefaultValueFactory = _ => 40 };
        var dataSeed = new Option<int>("--data-seed") { Description = "Seed of the caption sampler", DefaultValueFactory = _ => 11 };
        var seed = new Option<long>("--seed") { Description = "Seed of the initial latent (EU and images)", DefaultValueFactory = _ => 0 };
        var latents = new Option<int>("--latent-seeds") { Description = "Score every prompt on this many initial latents (seeds --seed, --seed + 1, ...) and average its scores; images use the first", DefaultValueFactory = _ => 1 };
        var noImages = new Option<bool>("--no-images") { Description = "Skip image generation and the checker (no Spearman)" };
        var csv = new Option<string?>("--csv") { Description = "Write every prompt's scores to this CSV file" };
        var expertSet = ToyCommand.ExpertSetOption("The expert set the model was trained with (toy train --expert-set), which decides what every expert saw " +
            $"(default: the one the model records as {ToyExpertSet.ConfigKey} in its SegMoE config)", withDefault: false);
        var cmd = new Command("evaluate-toy", "Direction of EMoE's EU on the toy world vs router entropy, token length and seed variance")
        {
            model, perSet, dataSeed, seed, latents, noImages, csv, expertSet,
        };
        var emoe = new EmoeScoreOptions();
        emoe.AddTo(cmd);
        cmd.SetAction((pr, ct) => Task.FromResult(Run(pr.GetValue(model), pr.GetValue(perSet), pr.GetValue(dataSeed), pr.GetValue(seed), pr.GetValue(latents),
            () => emoe.Read(pr, pr.GetValue(seed), new EmoeOptions().NumInferenceSteps), pr.GetValue(noImages), pr.GetValue(csv),
            pr.GetValue(expertSet), ct)));
        return cmd;
    }

    private static int Run(string? model, int perSet, int dataSeed, long seed, int latentSeeds, Func<EmoeOptions> readEmoe, bool noImages, string? csv,
        string? expertSetName, CancellationToken ct)
    {
        if (perSet < 2) throw new ArgumentException($"--prompts {perSet}: must be at least 2");
        if (seed < 0) throw new ArgumentException($"--seed {seed}: must be >= 0");
        if (latentSeeds < 1) throw new ArgumentException($"--latent-seeds {latentSeeds}: must be at least 1");
        var emoe = readEmoe();
        using var moe = UncertaintyCommand.LoadMoe(model);
        var expertSet = expertSetName is not null ? ToyExpertSet.Named(expertSetName)
            : ToyExpertSet.RecordedIn(moe.Model.Config) ?? throw new ArgumentException(
                $"--model {ModelLocator.Resolve(model, ModelLocator.EmoeModelName)}: its SegMoE config records no {ToyExpertSet.ConfigKey}; name the set the experts were trained with: --expert-set {ToyExpertSet.KnownNames}");
        var options = new EmoeToyOptions { PromptsPerSet = perSet, DataSeed = dataSeed, CheckImages = !noImages, Emoe = emoe, LatentSeeds = latentSeeds, ExpertSet = expertSet };
        EmoeToyReport report = null!;
        CliProgress.Run($"scoring {3 * perSet} toy prompts{(latentSeeds > 1 ? $" on {latentSeeds} latents" : "")}{(noImages ? "" : " and their images")}", 3 * perSet * latentSeeds,
            done => report = EmoeToyEvaluation.Run(moe, options, new InlineProgress<int>(done), ct));
        var table = new Table().AddColumns("score", "AUROC in vs out", "in vs unseen", "in vs Finnish");
        foreach (var (name, value) in report.Auroc)
            table.AddRow(name, F(value), F(report.AurocBySet[name][EmoeToyEvaluation.UnseenSet]), F(report.AurocBySet[name][EmoeToyEvaluation.FinnishSet]));
        AnsiConsole.Write(table);
        var inv = CultureInfo.InvariantCulture;
        if (report.EuAurocByConcept.Count > 0)
            AnsiConsole.MarkupLine(Markup.Escape("EU AUROC in vs unseen, per concept: " +
                string.Join(", ", report.EuAurocByConcept.Select(c => $"{c.Key} {F(c.Value.Auroc)} (n={c.Value.Prompts})"))));
        AnsiConsole.MarkupLine(Markup.Escape($"Spearman(EU, checker score) {report.SpearmanEuChecker.Format(3)} (95% bootstrap; at fixed token length {report.SpearmanEuCheckerGivenLength.Format(3)}), mean checker score {F(report.MeanCheckerScore)}"));
        AnsiConsole.MarkupLine($"mean EU English {report.MeanEuEnglish.ToString("E4", inv)}, Finnish {report.MeanEuFinnish.ToString("E4", inv)}; " +
                               $"Finnish higher in {report.FinnishHigherFraction.ToString("P0", inv)} of pairs");
        AnsiConsole.MarkupLine(Markup.Escape($"{3 * perSet} prompts ({expertSet.Name} expert set), data seed {dataSeed}, seed {seed}{(latentSeeds > 1 ? $" (mean over seeds {seed}..{seed + latentSeeds - 1})" : "")}, {emoe.Describe()}"));
        if (csv is not null)
        {
            using var w = new StreamWriter(csv);
            w.WriteLine("set,pair,prompt,eu,router_entropy,token_length,seed_variance," + string.Join(",", PathDisagreements.Names) + ",checker_score");
            foreach (var p in report.Prompts)
                w.WriteLine(string.Join(",", p.Set, p.PairIndex.ToString(inv), "\"" + p.Prompt.Replace("\"", "\"\"") + "\"",
                    p.Eu.ToString("R", inv), p.RouterEntropy.ToString("R", inv), p.TokenLength.ToString(inv),
                    p.SeedVariance.ToString("R", inv), string.Join(",", PathDisagreements.Names.Select(n => p.PathMeasures.GetValueOrDefault(n, double.NaN).ToString("R", inv))),
                    p.CheckerScore.ToString("R", inv)));
        }
        return 0;
    }

    private static string F(double v) => double.IsFinite(v) ? v.ToString("F3", CultureInfo.InvariantCulture) : "n/a";
}
