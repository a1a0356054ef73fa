using System.Text.Json;
using Penumbra.Configs;
using Penumbra.IO;
using Penumbra.Pipelines.StableDiffusion;
using Penumbra.Schedulers;
using Penumbra.Tests.Support;
using TorchSharp;
using static TorchSharp.torch;

namespace Penumbra.Tests.Pipelines;

/// <summary>Parity with diffusers' StableDiffusionPipeline on tiny-sd (fixtures README §6).</summary>
public class StableDiffusionPipelineTests
{
    private const double PipelineTolerance = 1e-3; // fixtures README: pipeline references, max abs diff <= 1e-3

    public static TheoryData<string> Cases()
    {
        var data = new TheoryData<string>();
        using var doc = JsonDocument.Parse(ConfigJson.NormalizePythonJson(File.ReadAllText(Fixtures.Path("reference", "pipeline_index.json"))));
        foreach (var p in doc.RootElement.EnumerateObject())
            if (p.Name.EndsWith(".safetensors")) data.Add(p.Name);
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void MatchesDiffusersStepByStep(string file)
    {
        using var doc = JsonDocument.Parse(ConfigJson.NormalizePythonJson(File.ReadAllText(Fixtures.Path("reference", "pipeline_index.json"))));
        var entry = doc.RootElement.GetProperty(file);
        var config = ConfigJson.Parse<SchedulerConfig>(entry.GetProperty("scheduler_config").GetRawText());
        var scheduler = SchedulerFactory.Create(entry.GetProperty("scheduler_class").GetString()!, config);
        using var reference = SafetensorsFile.Open(Fixtures.Path("reference", file));
        using var pipe = StableDiffusionPipeline.FromPretrained(Fixtures.Path("tiny-sd"));

        var call = doc.RootElement.GetProperty("_common");
        string prompt = call.GetProperty("prompt").GetString()!;
        string generatorText = call.GetProperty("generator").GetString()!; // "torch.Generator().manual_seed(N)"
        long seed = long.Parse(System.Text.RegularExpressions.Regex.Match(generatorText, @"manual_seed\((\d+)\)").Groups[1].Value);
        var ids = pipe.Tokenizer.EncodeForModel(prompt).Ids;
        using (var expectedIds = reference.Load("in.prompt_ids")) Assert.Equal(expectedIds.data<long>().ToArray(), ids);

        var unetInputs = new List<Tensor>();
        var latentsOut = new List<Tensor>();
        using var result = pipe.Generate(new GenerationOptions
        {
            Prompts = new[] { prompt }, NegativePrompts = new[] { call.GetProperty("negative_prompt").GetString()! },
            Steps = call.GetProperty("num_inference_steps").GetInt32(), GuidanceScale = call.GetProperty("guidance_scale").GetDouble(),
            Height = call.GetProperty("height").GetInt32(), Width = call.GetProperty("width").GetInt32(), Seed = seed,
            OnStep = s => latentsOut.Add(s.Latents.detach().clone().DetachFromDisposeScope()),
        }, scheduler);

        int calls = entry.GetProperty("num_unet_calls").GetInt32();
        Assert.Equal(calls, latentsOut.Count);
        for (int i = 0; i < calls; i++) AssertClose(reference, $"step.{i}.latents_out", latentsOut[i]);
        AssertClose(reference, "out.latents", result.Latents);
        using var decoded = pipe.DecodeLatents(result.Latents);
        AssertClose(reference, "out.image", decoded);
        // The PNG bytes are the rounded image.
        using var expectedImage = reference.Load("out.image");
        var expected = StableDiffusionPipeline.ToImages(expectedImage)[0];
        int maxByteDiff = expected.Rgb.Zip(result.Images[0].Rgb, (a, b) => Math.Abs(a - b)).Max();
        Assert.True(maxByteDiff <= 1, $"image bytes differ by up to {maxByteDiff}");
        foreach (var t in latentsOut) t.Dispose();
    }

    [Fact]
    public void PromptEmbeddingsMatchEncodePrompt()
    {
        using var doc = JsonDocument.Parse(ConfigJson.NormalizePythonJson(File.ReadAllText(Fixtures.Path("reference", "pipeline_index.json"))));
        var call = doc.RootElement.GetProperty("_common");
        using var reference = SafetensorsFile.Open(Fixtures.Path("reference", "pipeline_pndm.safetensors"));
        using var pipe = StableDiffusionPipeline.FromPretrained(Fixtures.Path("tiny-sd"));
        using var embeds = pipe.EncodePrompt(new[] { call.GetProperty("prompt").GetString()! }, new[] { call.GetProperty("negative_prompt").GetString()! });
        AssertClose(reference, "out.prompt_embeds", embeds.Conditional);
        AssertClose(reference, "out.negative_prompt_embeds", embeds.Unconditional!);
    }

    [Fact]
    public void SameSeedSameImagesAndImagesPerPromptAreIndependentDraws()
    {
        using var pipe = StableDiffusionPipeline.FromPretrained(Fixtures.Path("tiny-sd"));
        var o = new GenerationOptions { Prompts = new[] { "a red circle", "a blue square" }, Steps = 2, Seed = 5, ImagesPerPrompt = 2 };
        using var a = pipe.Generate(o);
        using var b = pipe.Generate(o);
        Assert.Equal(4, a.Images.Count);
        for (int i = 0; i < 4; i++) Assert.Equal(a.Images[i].Rgb, b.Images[i].Rgb);
        Assert.True(a.Latents.eq(b.Latents).all().item<bool>());
        Assert.False(a.Latents[0].eq(a.Latents[1]).all().item<bool>());
    }

    [Theory]
    [InlineData(30, 32)]
    [InlineData(32, 0)]
    public void ImpossibleSizesAreRejected(int width, int height)
    {
        using var pipe = StableDiffusionPipeline.FromPretrained(Fixtures.Path("tiny-sd"));
        var e = Assert.Throws<ArgumentException>(() => pipe.Generate(new GenerationOptions { Prompts = new[] { "x" }, Width = width, Height = height, Steps = 1 }));
        Assert.Contains($"{width}x{height}", e.Message);
    }

    private static void AssertClose(SafetensorsFile reference, string name, Tensor actual)
    {
        using var expected = reference.Load(name);
        Assert.Equal(expected.shape, actual.shape);
        double err = (expected - actual.cpu().to(ScalarType.Float32)).abs().max().item<float>();
        Assert.True(err <= PipelineTolerance, $"{name}: max abs diff {err:E3} > {PipelineTolerance}");
    }
}
