using System.Text.Json;
using Penumbra.Cli.Commands;
using Penumbra.IO;
using Penumbra.Tests.Cli;
using Penumbra.Tests.Support;
using static TorchSharp.torch;

namespace Penumbra.Tests.IO;

/// <summary><see cref="DiffusersFolderCast"/> and <c>penumbra convert FOLDER OUT --to diffusers --dtype D</c>.</summary>
[Collection("Console")]
public class DiffusersFolderCastTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("penumbra-cast-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void EveryFloatTensorIsTheOriginalCastAndEveryOtherFileIsCopied()
    {
        string source = Fixtures.Path("tiny-sd"), target = Path.Combine(_dir, "half");
        var result = DiffusersFolderCast.Save(source, target, ScalarType.Float16);

        var sourceFiles = Directory.EnumerateFiles(source, "*", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(source, f)).Order().ToArray();
        Assert.Equal(sourceFiles, Directory.EnumerateFiles(target, "*", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(target, f)).Order().ToArray());
        Assert.Equal(3, result.WeightFiles);
        foreach (string relative in sourceFiles)
        {
            string from = FileLinks.Resolve(Path.Combine(source, relative)), to = Path.Combine(target, relative);
            if (!relative.EndsWith(".safetensors")) { Assert.Equal(File.ReadAllBytes(from), File.ReadAllBytes(to)); continue; }
            using var original = SafetensorsFile.Open(from);
            using var cast = SafetensorsFile.Open(to);
            Assert.Equal(original.Keys.Order(), cast.Keys.Order());
            foreach (var info in original.Tensors)
            {
                using var a = original.Load(info.Name);
                using var b = cast.Load(info.Name);
                Assert.Equal(ScalarType.Float16, b.dtype);
                using var expected = a.to_type(ScalarType.Float16);
                Assert.True(expected.equal(b).all().item<bool>(), $"{relative}: {info.Name}");
            }
        }
        // The fixture is float32: the weights take half the bytes (headers aside).
        Assert.InRange(result.BytesAfter, result.BytesBefore * 0.49, result.BytesBefore * 0.52);
    }

    [Fact]
    public void IntegerTensorsAndMetadataAreKeptAndAShardedIndexGetsItsNewTotalSize()
    {
        string source = Path.Combine(_dir, "sharded"), target = Path.Combine(_dir, "out");
        Directory.CreateDirectory(source);
        File.WriteAllText(Path.Combine(source, "config.json"), "{\"_class_name\": \"Tiny\"}");
        using var w = arange(0, 40, dtype: ScalarType.Float32).reshape(4, 10);
        using var ids = arange(0, 7, dtype: ScalarType.Int64);
        using var v = ones(30, dtype: ScalarType.Float32);
        SafetensorsWriter.SaveSharded(source, "diffusion_pytorch_model", new Dictionary<string, Tensor> { ["w"] = w, ["ids"] = ids, ["v"] = v },
            maxShardBytes: 160, metadata: new Dictionary<string, string> { ["format"] = "pt" });

        DiffusersFolderCast.Save(source, target, ScalarType.BFloat16);

        using var index = JsonDocument.Parse(File.ReadAllText(Path.Combine(target, "diffusion_pytorch_model.safetensors.index.json")));
        Assert.Equal(40 * 2 + 7 * 8 + 30 * 2, index.RootElement.GetProperty("metadata").GetProperty("total_size").GetInt64());
        foreach (var shard in index.RootElement.GetProperty("weight_map").EnumerateObject())
        {
            using var file = SafetensorsFile.Open(Path.Combine(target, shard.Value.GetString()!));
            Assert.Equal("pt", file.Metadata["format"]);
            using var t = file.Load(shard.Name);
            Assert.Equal(shard.Name == "ids" ? ScalarType.Int64 : ScalarType.BFloat16, t.dtype);
        }
    }

    [Fact]
    public void BadTargetsAndDtypesAreRefusedBeforeAnythingIsWritten()
    {
        string source = Fixtures.Path("tiny-sd");
        Assert.Contains("outside", Assert.Throws<ArgumentException>(() => DiffusersFolderCast.Save(source, Path.Combine(source, "half"), ScalarType.Float16)).Message);
        string full = Path.Combine(_dir, "full");
        Directory.CreateDirectory(full);
        File.WriteAllText(Path.Combine(full, "keep.txt"), "mine");
        Assert.Contains("not empty", Assert.Throws<IOException>(() => DiffusersFolderCast.Save(source, full, ScalarType.Float16)).Message);
        Assert.Equal("mine", File.ReadAllText(Path.Combine(full, "keep.txt")));
        Assert.Contains("floating", Assert.Throws<ArgumentException>(() => DiffusersFolderCast.Save(source, Path.Combine(_dir, "i"), ScalarType.Int32)).Message);
        var notDiffusers = Assert.Throws<CheckpointFormatException>(() => DiffusersFolderCast.Save(_dir, Path.Combine(Path.GetTempPath(), $"never-{Guid.NewGuid():N}"), ScalarType.Float16));
        Assert.Contains(_dir, notDiffusers.Message);
    }

    [Fact]
    public void ConvertWritesAFloat16FolderAndRefusesDtypeForOtherConversions()
    {
        string target = Path.Combine(_dir, "half");
        var (code, stdout, err) = CliHarness.Run(ConvertCommand.Create(), "convert", Fixtures.Path("tiny-sd"), target, "--to", "diffusers", "--dtype", "fp16");
        Assert.True(code == 0, err);
        Assert.Contains("3 weight files as float16", stdout);
        using (var unet = SafetensorsFile.Open(Path.Combine(target, "unet", "diffusion_pytorch_model.safetensors")))
            Assert.All(unet.Tensors, t => Assert.Equal(ScalarType.Float16, t.ScalarType));

        (code, _, err) = CliHarness.Run(ConvertCommand.Create(), "convert", Fixtures.Path("tiny-sd"), Path.Combine(_dir, "x.safetensors"), "--dtype", "float16");
        Assert.Equal(1, code);
        Assert.Contains("--dtype float16", err);
        Assert.False(File.Exists(Path.Combine(_dir, "x.safetensors")));
    }
}
