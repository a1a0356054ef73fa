using System.Text.Json;
using Penumbra.Classifiers;
using Penumbra.Cli.Commands;
using Penumbra.Editing;

namespace Penumbra.Tests.Editing;

public class ClassifierReportWriterTests
{
    [Fact]
    public void WritesMarkdownPlotAndJsonWithIntervalsOverSeeds()
    {
        var train = BarWorld.Make(300, 0.9, 1);
        var val = BarWorld.Make(120, 0.5, 2);
        var test = BarWorld.Make(120, 0.5, 3);
        var options = new ExperimentOptions { Seeds = new[] { 0, 1 }, Train = new TrainOptions { Epochs = 2, LearningRate = 0.01, BatchSize = 32 }, RunReweighting = false };
        var results = SpuriousEditExperiment.Run(seed => new BarCnn(seed), train, val, test, options);
        var dir = Directory.CreateTempSubdirectory("report").FullName;
        try
        {
            var mix = SpuriousEditExperiment.GroupMix(train);
            ClassifierReportWriter.Write(dir, "bar world", "penumbra classifier report", results, mix, new[] { "v/black", "v/gray", "h/black", "h/gray" });
            var png = File.ReadAllBytes(Path.Combine(dir, ClassifierReportWriter.PlotName));
            Assert.Equal(new byte[] { 137, 80, 78, 71 }, png[..4]);
            var (w, h, _, _) = Penumbra.Imaging.PngCodec.Read(Path.Combine(dir, ClassifierReportWriter.PlotName));
            Assert.Equal((900, 560), (w, h));
            var md = File.ReadAllText(Path.Combine(dir, ClassifierReportWriter.MarkdownName));
            Assert.Equal(11, md.Split('\n').Count(l => System.Text.RegularExpressions.Regex.IsMatch(l, @"^\| [01]\.\d \| ")));
            Assert.Contains("| ERM |", md);
            var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, ClassifierReportWriter.JsonName))).RootElement;
            var erm = json.GetProperty("summary").EnumerateArray().First(s => s.GetProperty("method").GetString() == "ERM");
            double expected = results.Average(r => r.Methods[0].Worst);
            Assert.Equal(expected, erm.GetProperty("worst_group").GetProperty("Mean").GetDouble(), 12);
            Assert.Equal(2, json.GetProperty("seeds").GetArrayLength());
        }
        finally { Directory.Delete(dir, true); }
    }
}
