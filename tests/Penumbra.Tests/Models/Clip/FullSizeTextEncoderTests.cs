using System.Text.Json.Nodes;
using Penumbra.Models.Clip;
using Penumbra.Tests.Models.Unets;
using Penumbra.Tests.Support;
using TorchSharp;
using static TorchSharp.torch;

namespace Penumbra.Tests.Models.Clip;

/// <summary>fixtures/README.md "Full-size SD 1.5 / SD 2.1 configs": the text encoders built from
/// <c>configs/{sd15,sd21}/text_encoder/config.json</c> have exactly the recorded parameter and tensor counts.
/// Built on the meta device (shapes only, no memory, no random numbers drawn).</summary>
[Collection(nameof(MetaDeviceCollection))]
public class FullSizeTextEncoderTests
{
    [Theory]
    [InlineData("sd15")]
    [InlineData("sd21")]
    public void CountsMatchTransformers(string model)
    {
        var counts = JsonNode.Parse(File.ReadAllText(Fixtures.Path("configs", "param-counts.json")))![model]!["text_encoder"]!;
        var config = CLIPConfig.LoadText(Fixtures.Path("configs", model, "text_encoder", "config.json"));
        var previous = get_default_device();
        set_default_device(META);
        try
        {
            using var encoder = new ClipTextModel(config);
            Assert.Equal(DeviceType.META, encoder.parameters().First().device_type);
            var state = encoder.state_dict();
            Assert.Equal(counts["state_dict_tensors"]!.GetValue<int>(), state.Count);
            Assert.Equal(counts["parameters"]!.GetValue<long>(), encoder.parameters().Sum(p => p.numel()));
            Assert.Equal(counts["state_dict_elements"]!.GetValue<long>(), state.Values.Sum(t => t.numel()));
        }
        finally
        {
            set_default_device(previous);
        }
    }
}
