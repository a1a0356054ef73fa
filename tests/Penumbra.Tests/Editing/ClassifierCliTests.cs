using System.CommandLine;
using System.Text.Json;
using Penumbra.Cli;
using Penumbra.Cli.Commands;
using Penumbra.Imaging;

namespace Penumbra.Tests.Editing;

[Collection("Console")]
public class ClassifierCliTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("classifier-cli").FullName;

    public void Dispose() => Directory.Delete(_dir, true);

    /// <summary>A Waterbirds-layout folder made of bar-world images (class = bar direction, place = background).</summary>
    private string Waterbirds()
    {
        string root = Path.Combine(_dir, "wb");
        Directory.CreateDirectory(root);
        var lines = new List<string> { "img_id,img_filename,y,split,place" };
        int id = 0;
        foreach (var (split, n, corr) in new[] { (0, 48, 0.9), (1, 24, 0.5), (2, 24, 0.5) })
        {
            var set = BarWorld.Make(n, corr, 10 + split);
            var x = set.LoadImages(Enumerable.Range(0, n).ToArray());
            for (int i = 0; i < n; i++)
            {
                var rgb = ((x[i].permute(1, 2, 0).clamp(0, 1) * 255).round()).to(TorchSharp.torch.ScalarType.Byte).flatten().data<byte>().ToArray();
                string name = $"img{id:D3}.png";
                PngCodec.Write(Path.Combine(root, name), BarWorld.Size, BarWorld.Size, rgb);
                lines.Add($"{id++},{name},{set.Labels[i]},{split},{set.Attributes[i]}");
            }
        }
        File.WriteAllLines(Path.Combine(root, "metadata.csv"), lines);
        return root;
    }

    private static (int Code, string Out) Run(params string[] args)
    {
        var root = new RootCommand();
        root.Subcommands.Add(ClassifierCommand.Create());
        var old = Console.Out;
        var sw = new StringWriter();
        Console.SetOut(sw);
        try { return (CliRunner.InvokeAsync(root, args).GetAwaiter().GetResult(), sw.ToString()); }
        finally { Console.SetOut(old); }
    }

    [Fact]
    public void TrainEvalAndEditAWaterbirdsFolder()
    {
        string data = "waterbirds:" + Waterbirds(), model = Path.Combine(_dir, "model");
        var (code, _) = Run("classifier", "train", "--data", data, "--arch", "resnet18", "--image-size", "16", "--epochs", "1", "--batch-size", "16", "--out", model, "--json");
        Assert.Equal(0, code);
        Assert.True(File.Exists(Path.Combine(model, "model.safetensors")));

        (code, var evalOut) = Run("classifier", "eval", "--model", model, "--data", data, "--image-size", "16", "--json");
        Assert.Equal(0, code);
        var eval = JsonDocument.Parse(evalOut).RootElement;
        Assert.Equal(4, eval.GetProperty("groups").GetArrayLength());
        Assert.Equal(24, eval.GetProperty("groups").EnumerateArray().Sum(g => g.GetProperty("n").GetInt32()));

        (code, var editOut) = Run("classifier", "edit", "--model", model, "--data", data, "--image-size", "16", "--strategy", "H2", "--degree", "0.5", "--class", "waterbird", "--json");
        Assert.Equal(0, code);
        var edit = JsonDocument.Parse(editOut).RootElement;
        Assert.Equal(1, edit.GetProperty("changed_elements").GetInt32());
        Assert.Equal("H2", edit.GetProperty("edit").GetProperty("strategy").GetString());
        Assert.Equal("fc.weight", edit.GetProperty("edit").GetProperty("parameter").GetString());
        Assert.Equal(1, edit.GetProperty("edit").GetProperty("index")[0].GetInt32());
        Assert.Equal(0.5 * edit.GetProperty("edit").GetProperty("old_value").GetDouble(), edit.GetProperty("edit").GetProperty("new_value").GetDouble(), 6);

        (code, editOut) = Run("classifier", "edit", "--model", model, "--data", data, "--image-size", "16", "--degree", "0", "--json");
        Assert.Equal(0, code);
        edit = JsonDocument.Parse(editOut).RootElement;
        Assert.Equal(0, edit.GetProperty("changed_elements").GetInt32());
        Assert.Equal(edit.GetProperty("test_before").GetRawText(), edit.GetProperty("test_after").GetRawText());
    }

    [Fact]
    public void ToyPathTrainsTheToyShapeCnnAndEditsOneBias()
    {
        string model = Path.Combine(_dir, "toy");
        var (code, _) = Run("classifier", "train", "--toy-samples", "64", "--epochs", "1", "--out", model, "--json");
        Assert.Equal(0, code);
        Assert.Contains("toy-shape-cnn", File.ReadAllText(Path.Combine(model, "classifier.json")));
        (code, var editOut) = Run("classifier", "edit", "--model", model, "--toy-samples", "64", "--strategy", "H1", "--degree", "0.3", "--class", "circle", "--attribute", "gray", "--json");
        Assert.Equal(0, code);
        var edit = JsonDocument.Parse(editOut).RootElement;
        Assert.Equal(1, edit.GetProperty("changed_elements").GetInt32());
        Assert.Equal("fc.bias", edit.GetProperty("edit").GetProperty("parameter").GetString());
        Assert.Equal(0, edit.GetProperty("edit").GetProperty("index")[0].GetInt32());
        var groups = edit.GetProperty("test_before").GetProperty("groups");
        Assert.Equal(new[] { "circle / black", "circle / gray", "square / black", "square / gray" }, groups.EnumerateArray().Select(g => g.GetProperty("group").GetString()));
        Assert.All(groups.EnumerateArray(), g => Assert.True(g.GetProperty("n").GetInt32() > 0));
    }

    [Fact]
    public void ReportCommandWritesTheEvidenceFolderAndPrintsTheSummary()
    {
        string output = Path.Combine(_dir, "report");
        var (code, _) = Run("classifier", "report", "--toy-samples", "96", "--epochs", "1", "--seeds", "0", "--no-reweighting", "--out", output);
        Assert.Equal(0, code);
        Assert.Contains("| ERM |", File.ReadAllText(Path.Combine(output, ClassifierReportWriter.MarkdownName)));
        foreach (var f in new[] { ClassifierReportWriter.MarkdownName, ClassifierReportWriter.PlotName, ClassifierReportWriter.JsonName })
            Assert.True(File.Exists(Path.Combine(output, f)), f);
    }

    [Fact]
    public void BadArgumentsGiveOneLineErrors()
    {
        var err = Console.Error;
        var sw = new StringWriter();
        Console.SetError(sw);
        try
        {
            Assert.Equal(1, Run("classifier", "eval", "--model", Path.Combine(_dir, "none"), "--data", "waterbirds:" + _dir).Code);
            Assert.Contains("classifier folder not found", sw.ToString());
            Assert.Equal(1, Run("classifier", "edit", "--model", _dir, "--degree", "1.5").Code);
        }
        finally { Console.SetError(err); }
    }
}
