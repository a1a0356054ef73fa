using Penumbra.Pipelines.StableDiffusion;
using Penumbra.Quality;
using Penumbra.Tests.Quality;
using Penumbra.Tests.Support;
using static TorchSharp.torch;

namespace Penumbra.Tests.Pipelines;

/// <summary>Image-to-image against diffusers 0.25's StableDiffusionImg2ImgPipeline semantics (get_timesteps, prepare_latents).</summary>
public class StableDiffusionImg2ImgPipelineTests
{
    private static GenerationOptions Options(int steps) => new()
    {
        Prompts = new[] { "a red circle", "a blue square" }, NegativePrompts = new[] { "blurry" }, Steps = steps, Seed = 9,
        ImagesPerPrompt = 2, Decode = false,
    };

    private static Tensor InputImage()
    {
        using var gen = new Generator(21);
        using var u = rand(new long[] { 1, 3, 32, 32 }, generator: gen);
        return u * 2 - 1;
    }

    [Fact]
    public void TimestepsAreTheTailDiffusersKeeps()
    {
        using var pipe = StableDiffusionPipeline.FromPretrained(Fixtures.Path("tiny-sd"));
        // DDIM, leading spacing, steps_offset 1, 10 steps: 901, 801, ..., 1. init = int(10 * s), start = 10 - init.
        using var ddim = pipe.CreateScheduler("ddim");
        ddim.SetTimesteps(10);
        Assert.Equal(new double[] { 201, 101, 1 }, StableDiffusionImg2ImgPipeline.Timesteps(ddim, 10, 0.3));
        Assert.Equal(new double[] { 501, 401, 301, 201, 101, 1 }, StableDiffusionImg2ImgPipeline.Timesteps(ddim, 10, 0.6));
        Assert.Equal(new double[] { 401, 301, 201, 101, 1 }, StableDiffusionImg2ImgPipeline.Timesteps(ddim, 10, 0.55)); // int(5.5) = 5
        Assert.Equal(10, StableDiffusionImg2ImgPipeline.Timesteps(ddim, 10, 1.0).Length);
        Assert.Empty(StableDiffusionImg2ImgPipeline.Timesteps(ddim, 10, 0.05));
        // Heun (order 2, linspace): 999, 888, 888, ..., 0, 0 (19 entries); from index start * order = 14 on.
        using var heun = pipe.CreateScheduler("heun");
        heun.SetTimesteps(10);
        var tail = StableDiffusionImg2ImgPipeline.Timesteps(heun, 10, 0.3);
        Assert.Equal(5, tail.Length);
        var expected = new double[] { 222, 111, 111, 0, 0 };
        for (int i = 0; i < 5; i++) Assert.Equal(expected[i], tail[i], 1e-3);
    }

    [Fact]
    public void StrengthOneIsTextToImageFromTheNoisedEncodedImage()
    {
        using var pipe = StableDiffusionPipeline.FromPretrained(Fixtures.Path("tiny-sd"));
        var img2img = new StableDiffusionImg2ImgPipeline(pipe);
        using var image = InputImage();
        using var result = img2img.Generate(new ImageToImageOptions { Generation = Options(4), Images = image, Strength = 1.0 }, "ddim");

        // By hand: posterior sample then noise from one generator of the seed, add_noise at the first timestep (901 of
        // 4 steps: 751), then the text-to-image loop from those latents (DDIM's init sigma is 1).
        using var gen = new Generator(9);
        using var noGrad = inference_mode();
        using var init = img2img.EncodeImages(image, gen).expand(4, -1, -1, -1);
        using var noise = randn(init.shape, generator: gen);
        using var scheduler = pipe.CreateScheduler("ddim");
        scheduler.SetTimesteps(4);
        Assert.Equal(751, scheduler.Timesteps[0].item<long>());
        using var t = full(new long[] { 4 }, 751L, ScalarType.Int64);
        using var noised = scheduler.AddNoise(init, noise, t);
        using var text = pipe.Generate(Options(4) with { Latents = noised }, "ddim");
        Assert.True(MidBlockBypassTests.BitEqual(result.Latents, text.Latents));

        // diffusers semantics: strength 1 is not text-to-image from pure noise (sqrt(alpha_bar_751) x0 stays in the start).
        using var pure = pipe.Generate(Options(4) with { Latents = noise }, "ddim");
        using var diff = (pure.Latents - result.Latents).abs().max();
        Assert.True(diff.item<float>() > 1e-3);
    }

    [Fact]
    public void LowStrengthStaysNearTheInputAndTheBypassCountsTheStepsRun()
    {
        using var pipe = StableDiffusionPipeline.FromPretrained(Fixtures.Path("tiny-sd"));
        var recorder = new MidBlockBypassTests.RecordingModifier(new MidBlockBypass(BypassSchedule.Parse("window:0.5@0-0.4")));
        pipe.Modifier = recorder;
        var img2img = new StableDiffusionImg2ImgPipeline(pipe);
        using var image = InputImage();
        var steps = new List<int>();
        using var result = img2img.Generate(new ImageToImageOptions
        {
            Generation = Options(10) with { OnStep = s => steps.Add(s.TotalSteps), Decode = true }, Images = image, Strength = 0.5,
        }, "ddim");
        Assert.Equal(Enumerable.Repeat(5, 5), steps);
        Assert.Equal(Enumerable.Range(0, 5).Select(i => (i, 5)), recorder.Steps);
        Assert.Equal(new[] { true, true, false, false, false }, recorder.Tapped); // u = k/5 < 0.4
        Assert.Equal(4, result.Images.Count);
        Assert.All(result.Images, im => Assert.Equal((32, 32), (im.Width, im.Height)));
    }

    [Fact]
    public void PixelSpaceModelsUseTheImageAsItsOwnLatents()
    {
        using var pipe = StableDiffusionPipeline.FromPretrained(Fixtures.Path("tiny-sd"));
        var pixel = new StableDiffusionImg2ImgPipeline(new StableDiffusionPipeline(pipe.Tokenizer, pipe.TextEncoder, pipe.Unet, null,
            pipe.SchedulerConfig, pipe.Device, pipe.DType, "pixel"));
        using var image = InputImage();
        using var gen = new Generator(1);
        using var encoded = pixel.EncodeImages(image, gen);
        Assert.True(MidBlockBypassTests.BitEqual(encoded, image));
    }

    [Theory]
    [InlineData(1.5, "strength 1.5 must lie in [0, 1]")]
    [InlineData(0.05, "runs no denoising step")]
    public void BadStrengthGivesOneClearError(double strength, string expected)
    {
        using var pipe = StableDiffusionPipeline.FromPretrained(Fixtures.Path("tiny-sd"));
        using var image = InputImage();
        var e = Assert.Throws<ArgumentException>(() => new StableDiffusionImg2ImgPipeline(pipe)
            .Generate(new ImageToImageOptions { Generation = Options(10), Images = image, Strength = strength }, "ddim"));
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void SizeComesFromTheImage()
    {
        using var pipe = StableDiffusionPipeline.FromPretrained(Fixtures.Path("tiny-sd"));
        using var image = InputImage();
        var e = Assert.Throws<ArgumentException>(() => new StableDiffusionImg2ImgPipeline(pipe)
            .Generate(new ImageToImageOptions { Generation = Options(4) with { Height = 64 }, Images = image }, "ddim"));
        Assert.Contains("size from the input image", e.Message);
        using var odd = zeros(1, 3, 30, 30);
        e = Assert.Throws<ArgumentException>(() => new StableDiffusionImg2ImgPipeline(pipe)
            .Generate(new ImageToImageOptions { Generation = Options(4), Images = odd }, "ddim"));
        Assert.Contains("30x30", e.Message);
    }
}
