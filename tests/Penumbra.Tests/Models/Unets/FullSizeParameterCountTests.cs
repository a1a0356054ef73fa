using System.Text.Json;
using Penumbra.Configs;
using Penumbra.Models.Autoencoders;
using Penumbra.Models.Unets;
using Penumbra.Tests.Support;
using TorchSharp;
using static TorchSharp.torch;

namespace Penumbra.Tests.Models.Unets;

/// <summary>Full-size SD 1.5 / SD 2.1 UNets and VAEs built from fixtures/configs must have exactly the parameter and
/// state-dict tensor counts of <c>configs/param-counts.json</c> (fixtures README, "Full-size ... parameter counts").
/// Built on the meta device: shapes only, no memory, nothing run.</summary>
[Collection(nameof(MetaDeviceCollection))]
public class FullSizeParameterCountTests
{
    public static TheoryData<string, string> Cases => new()
    {
        { "sd15", "unet" }, { "sd21", "unet" }, { "sd15", "vae" }, { "sd21", "vae" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void CountsMatchDiffusers(string model, string component)
    {
        var expected = JsonDocument.Parse(File.ReadAllText(Fixtures.Path("configs", "param-counts.json"))).RootElement
            .GetProperty(model).GetProperty(component);
        string config = Fixtures.Path("configs", model, component, "config.json");
        var previous = get_default_device();
        set_default_device(META);
        try
        {
            using nn.Module built = component == "unet"
                ? new UNet2DConditionModel(ConfigJson.Load<UNet2DConditionConfig>(config))
                : new AutoencoderKL(ConfigJson.Load<AutoencoderKLConfig>(config));
            Assert.Equal(DeviceType.META, built.parameters().First().device_type);
            Assert.Equal(expected.GetProperty("parameters").GetInt64(), built.parameters().Sum(p => p.numel()));
            var state = built.state_dict();
            Assert.Equal(expected.GetProperty("state_dict_tensors").GetInt32(), state.Count);
            Assert.Equal(expected.GetProperty("state_dict_elements").GetInt64(), state.Values.Sum(t => t.numel()));
        }
        finally
        {
            set_default_device(previous);
        }
    }
}
