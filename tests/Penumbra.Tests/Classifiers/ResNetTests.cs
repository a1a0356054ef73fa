using Penumbra.Classifiers;
using Penumbra.IO;
using TorchSharp;

namespace Penumbra.Tests.Classifiers;

public class ResNetTests
{
    /// <summary>torchvision's state-dict keys, written out from its architecture description (conv/bn per block, downsample on block 0).</summary>
    private static List<string> TorchvisionKeys(int[] layers, int convsPerBlock, bool downsampleLayer1)
    {
        var keys = new List<string>();
        void Bn(string p) => keys.AddRange(new[] { "weight", "bias", "running_mean", "running_var", "num_batches_tracked" }.Select(s => $"{p}.{s}"));
        keys.Add("conv1.weight");
        Bn("bn1");
        for (int l = 0; l < 4; l++)
            for (int b = 0; b < layers[l]; b++)
            {
                for (int c = 1; c <= convsPerBlock; c++)
                {
                    keys.Add($"layer{l + 1}.{b}.conv{c}.weight");
                    Bn($"layer{l + 1}.{b}.bn{c}");
                }
                if (b == 0 && (l > 0 || downsampleLayer1))
                {
                    keys.Add($"layer{l + 1}.0.downsample.0.weight");
                    Bn($"layer{l + 1}.0.downsample.1");
                }
            }
        keys.Add("fc.weight");
        keys.Add("fc.bias");
        return keys;
    }

    [Theory]
    [InlineData(18, 11_689_512L, 122)]
    [InlineData(50, 25_557_032L, 320)]
    public void ParameterCountAndKeysMatchTorchvision(int depth, long parameters, int keyCount)
    {
        using var model = new ResNet(new ResNetConfig { Depth = depth, NumClasses = 1000 });
        Assert.Equal(parameters, model.parameters().Sum(p => p.numel()));
        var keys = model.state_dict().Keys.OrderBy(k => k, StringComparer.Ordinal).ToList();
        var expected = depth == 18 ? TorchvisionKeys(new[] { 2, 2, 2, 2 }, 2, false) : TorchvisionKeys(new[] { 3, 4, 6, 3 }, 3, true);
        Assert.Equal(keyCount, expected.Count);
        Assert.Equal(expected.OrderBy(k => k, StringComparer.Ordinal), keys);
        Assert.Equal(depth == 18 ? 512 : 2048, model.FeatureDim);
        Assert.Equal("fc", model.HeadName);
    }

    [Fact]
    public void BottleneckShapesFollowTorchvision()
    {
        using var model = new ResNet(new ResNetConfig { Depth = 50, NumClasses = 7 });
        var sd = model.state_dict();
        Assert.Equal(new long[] { 64, 64, 1, 1 }, sd["layer1.0.conv1.weight"].shape);
        Assert.Equal(new long[] { 256, 64, 1, 1 }, sd["layer1.0.downsample.0.weight"].shape);
        Assert.Equal(new long[] { 512, 512, 3, 3 }, sd["layer4.2.conv2.weight"].shape);
        Assert.Equal(new long[] { 2048, 512, 1, 1 }, sd["layer4.2.conv3.weight"].shape);
        Assert.Equal(new long[] { 7, 2048 }, sd["fc.weight"].shape);
        Assert.Equal(torch.ScalarType.Int64, sd["bn1.num_batches_tracked"].dtype);
    }

    [Fact]
    public void SafetensorsRoundTripGivesSameLogitsAndFeatures()
    {
        var dir = Directory.CreateTempSubdirectory("resnet").FullName;
        try
        {
            torch.manual_seed(5);
            using var model = new ResNet(new ResNetConfig { Depth = 18, NumClasses = 3 });
            // Non-trivial running statistics, so the buffers must be loaded for the outputs to agree.
            model.train();
            using (torch.no_grad()) model.call(torch.randn(4, 3, 64, 64));
            model.eval();
            model.SavePretrained(dir);
            using var loaded = ResNet.FromPretrained(dir);
            var x = torch.randn(2, 3, 64, 64);
            using var noGrad = torch.no_grad();
            Assert.Equal(0.0, (model.call(x) - loaded.call(x)).abs().max().item<float>());
            Assert.Equal(new long[] { 2, 512 }, loaded.Features(x).shape);
            Assert.Equal(1L, loaded.state_dict()["layer2.0.bn1.num_batches_tracked"].item<long>());
            var copy = model.Copy();
            Assert.Equal(0.0, (model.call(x) - copy.Module.call(x)).abs().max().item<float>());
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public void MissingBufferInCheckpointIsNamed()
    {
        var dir = Directory.CreateTempSubdirectory("resnet").FullName;
        try
        {
            using var model = new ResNet(new ResNetConfig { Depth = 18, NumClasses = 2 });
            var sd = model.state_dict().Where(kv => kv.Key != "layer3.1.bn2.running_var").ToDictionary(kv => kv.Key, kv => kv.Value);
            var path = Path.Combine(dir, "partial.safetensors");
            SafetensorsWriter.Save(path, sd);
            var e = Assert.Throws<CheckpointFormatException>(() => ResNet.FromPretrained(path, new ResNetConfig { Depth = 18, NumClasses = 2 }));
            Assert.Contains("layer3.1.bn2.running_var", e.Message);
            Assert.Contains(path, e.Message);
        }
        finally { Directory.Delete(dir, true); }
    }
}
