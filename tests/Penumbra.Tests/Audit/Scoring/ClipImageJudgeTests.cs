using Penumbra.Audit.Scoring;
using Penumbra.IO;
using Penumbra.Imaging;
using Penumbra.Tests.Audit;
using Penumbra.Tests.Support;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace Penumbra.Tests.Audit.Scoring;

/// <summary>CLIP score and zero-shot attributes of <c>tiny-clip</c> on the image of <c>reference/clip.safetensors</c>
/// against the reference embeddings of its two texts (fixtures/README.md section 10).</summary>
public class ClipImageJudgeTests(ITestOutputHelper output)
{
    private const string RedCircle = "a red circle", BlueSquares = "two blue squares on a white background";

    /// <summary>CLIP embeddings match to 1e-4 (fixtures/README.md, "Tolerances"); CLIP score is 100 x a cosine.</summary>
    private const double ScoreTolerance = 100 * 2e-4;

    private static RgbImage ReferenceImage(SafetensorsFile reference)
    {
        using var hwc = reference.Load("in.image_uint8");
        return new RgbImage((int)hwc.shape[1], (int)hwc.shape[0], hwc.to(ScalarType.Byte).contiguous().bytes.ToArray());
    }

    [Fact]
    public void ClipScoreAndZeroShotClassMatchTheReferenceEmbeddings()
    {
        using var tmp = new TempFolder();
        var attributes = tmp.Write("attributes.json", "{\"thing\": {\"circle\": \"" + RedCircle + "\", \"squares\": \"" + BlueSquares + "\"}}");
        using var reference = SafetensorsFile.Open(Fixtures.Path("reference", "clip.safetensors"));
        using var judge = new ClipImageJudge(Fixtures.Path("tiny-clip"), AttributePrompts.Load(attributes));
        var image = ReferenceImage(reference);
        using var imageEmbeds = reference.Load("out.image_embeds").to(ScalarType.Float64);
        using var textEmbeds = reference.Load("out.text_embeds").to(ScalarType.Float64);
        var cos = matmul(imageEmbeds, textEmbeds.t()).squeeze(0).data<double>().ToArray();

        for (int t = 0; t < 2; t++)
        {
            var j = judge.Judge(t == 0 ? RedCircle : BlueSquares, new[] { image, image });
            double expected = 100 * Math.Max(0, cos[t]);
            output.WriteLine($"text {t}: clip_score {j[0].Metrics["clip_score"]:F6}, reference {expected:F6}");
            Assert.All(j, x => Assert.Equal(expected, x.Metrics[ClipImageJudge.Quality], ScoreTolerance));
            Assert.All(j, x => Assert.Equal(cos[0] > cos[1] ? "circle" : "squares", x.Attributes["thing"]));
        }
        Assert.Equal(new[] { "circle", "squares" }, judge.AttributeClasses["thing"]);
        Assert.Contains("a red circle", judge.Settings["attribute_prompts"]);
    }

    [Fact]
    public void DefaultAttributesAreManAndWoman()
    {
        using var judge = new ClipImageJudge(Fixtures.Path("tiny-clip"));
        Assert.Equal(new[] { "man", "woman" }, judge.AttributeClasses["gender"]);
        var j = judge.Judge("a photo of a doctor", new[] { new RgbImage(8, 8, new byte[8 * 8 * 3]) });
        Assert.Contains(j[0].Attributes["gender"], new[] { "man", "woman" });
    }

    [Fact]
    public void BadAttributeFilesAreRejectedWithTheReason()
    {
        using var tmp = new TempFolder();
        var one = tmp.Write("one.json", """{"gender": {"man": "a photo of a man"}}""");
        Assert.Contains("at least two classes", Assert.Throws<InvalidDataException>(() => AttributePrompts.Load(one)).Message);
        var empty = tmp.Write("empty.json", """{"gender": {"man": "", "woman": "a photo of a woman"}}""");
        Assert.Contains("class 'man'", Assert.Throws<InvalidDataException>(() => AttributePrompts.Load(empty)).Message);
        var broken = tmp.Write("broken.json", "{");
        Assert.Contains("not valid JSON", Assert.Throws<InvalidDataException>(() => AttributePrompts.Load(broken)).Message);
    }
}
