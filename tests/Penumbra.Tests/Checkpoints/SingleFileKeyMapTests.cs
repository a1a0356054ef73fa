using System.Text.Json.Nodes;
using Penumbra.Checkpoints;
using Penumbra.IO;
using Penumbra.Tests.Support;
using static TorchSharp.torch;

namespace Penumbra.Tests.Checkpoints;

/// <summary>fixtures/README.md "Single-file checkpoints": every tensor of the files written by diffusers' converter lands
/// bit-identically on the diffusers folders' weights (architecture from the shapes and from the yaml), every key-map entry
/// is reproduced, and the reverse conversion gives the file's keys and tensors back.</summary>
public class SingleFileKeyMapTests
{
    /// <summary>Single file, yaml, key map and the diffusers folders of its unet, vae and text encoder (fixtures README).</summary>
    public sealed record Case(string File, string Yaml, string KeyMap, string Unet, string Vae, string Text);

    public static readonly IReadOnlyDictionary<string, Case> Cases = new Dictionary<string, Case>
    {
        ["tiny-sd"] = new("single-file/tiny-sd.safetensors", "single-file/tiny-sd.yaml", "single-file/key-map.json", "tiny-sd/unet", "tiny-sd/vae", "tiny-sd/text_encoder"),
        ["tiny-sd2"] = new("single-file/tiny-sd2.safetensors", "single-file/tiny-sd2.yaml", "single-file/key-map-sd2.json", "tiny-sd2/unet", "tiny-sd/vae", "single-file/tiny-sd2/text_encoder"),
    };

    public static TheoryData<string> Files => new() { "tiny-sd", "tiny-sd2" };

    [Theory]
    [MemberData(nameof(Files))]
    public void EveryTensorLandsBitIdenticallyOnTheFolderWeights(string name)
    {
        var (file, yaml, keyMap, unet, vae, text) = Cases[name];
        foreach (var options in new[] { new SingleFileOptions(), new SingleFileOptions { OriginalConfig = Fixtures.Path(yaml) } })
        {
            using var checkpoint = SingleFileCheckpoint.Open(Fixtures.Path(file), options);
            foreach (var (source, folder) in new[] { (checkpoint.UNet, unet), (checkpoint.Vae!, vae), (checkpoint.TextEncoder!, text) })
            {
                Assert.Empty(source.Unmapped);
                using var expected = DiffusersWeights.Open(Fixtures.Path(folder));
                Assert.Equal(expected.Keys.Order(StringComparer.Ordinal), source.Keys.Order(StringComparer.Ordinal));
                foreach (var key in expected.Keys)
                {
                    using var a = expected.Load(key);
                    using var b = source.Load(key);
                    Assert.Equal(a.dtype, b.dtype);
                    Assert.True(BitIdentical(a, b), $"{folder}: {key} differs ({source.OriginalName(key)})");
                    Assert.Equal(a.shape, source.Shape(key));
                }
            }
        }
    }

    [Theory]
    [MemberData(nameof(Files))]
    public void KeyMapEntriesAreReproducedInBothDirections(string name)
    {
        var (file, yaml, keyMap, unet, vae, text) = Cases[name];
        using var checkpoint = SingleFileCheckpoint.Open(Fixtures.Path(file), new SingleFileOptions { OriginalConfig = Fixtures.Path(yaml) });
        var entries = JsonNode.Parse(File.ReadAllText(Fixtures.Path(keyMap)))!["tensors"]!.AsArray();
        var components = checkpoint.Components.ToDictionary(c => c.Component);
        int mapped = 0;
        foreach (var e in entries)
        {
            string original = e!["original"]!.GetValue<string>();
            if (e["diffusers"] is null)
            {
                Assert.Contains(original, checkpoint.Layout.Ignored);
                continue;
            }
            var c = components[e["component"]!.GetValue<string>()];
            var diffusers = e["diffusers"] is JsonArray list ? list.Select(x => x!.GetValue<string>()).ToArray() : new[] { e["diffusers"]!.GetValue<string>() };
            var match = c.Table.ToDiffusers(original[c.Prefix.Length..]);
            Assert.NotNull(match);
            Assert.Equal(diffusers, match.Diffusers);
            for (int i = 0; i < diffusers.Length; i++)
            {
                var back = c.Table.ToOriginal(diffusers[i])!;
                Assert.Equal(original, c.Prefix + back.Original);
                Assert.Equal(i, back.Part);
            }
            mapped++;
        }
        Assert.Equal(entries.Count(e => e!["diffusers"] is not null), mapped);
    }

    [Theory]
    [MemberData(nameof(Files))]
    public void ReverseConversionReproducesTheFile(string name)
    {
        var (file, yaml, keyMap, unet, vae, text) = Cases[name];
        var sources = new[] { unet, vae, text }.Select(f => DiffusersWeights.Open(Fixtures.Path(f))).ToList();
        try
        {
            var textConfig = Penumbra.Models.Clip.CLIPConfig.LoadText(Fixtures.Path(text, "config.json"));
            var components = new[]
            {
                new DiffusersToSingleFile.Component(LdmPrefixes.UNet, LdmUNetKeys.Build(Penumbra.Configs.ConfigJson.Load<Penumbra.Models.Unets.UNet2DConditionConfig>(Fixtures.Path(unet, "config.json"))), sources[0]),
                new DiffusersToSingleFile.Component(LdmPrefixes.Vae, LdmVaeKeys.Build(Penumbra.Configs.ConfigJson.Load<Penumbra.Models.Autoencoders.AutoencoderKLConfig>(Fixtures.Path(vae, "config.json"))), sources[1]),
                DiffusersToSingleFile.TextComponent(textConfig, sources[2]),
            };
            var converted = DiffusersToSingleFile.Convert(components);
            try
            {
                using var original = SafetensorsTensorSource.Open(Fixtures.Path(file));
                var withCounterpart = JsonNode.Parse(File.ReadAllText(Fixtures.Path(keyMap)))!["tensors"]!.AsArray()
                    .Where(e => e!["diffusers"] is not null).Select(e => e!["original"]!.GetValue<string>()).Order(StringComparer.Ordinal).ToList();
                Assert.Equal(withCounterpart, converted.Keys.Order(StringComparer.Ordinal));
                foreach (var key in withCounterpart)
                {
                    using var expected = original.Load(key);
                    Assert.True(BitIdentical(expected, converted[key]), $"{key} differs");
                }
            }
            finally
            {
                foreach (var t in converted.Values) t.Dispose();
            }
        }
        finally
        {
            foreach (var s in sources) s.Dispose();
        }
    }

    /// <summary>Same dtype, shape and bytes.</summary>
    public static bool BitIdentical(Tensor a, Tensor b)
    {
        using var ca = a.contiguous();
        using var cb = b.contiguous();
        return a.dtype == b.dtype && a.shape.SequenceEqual(b.shape) && ca.bytes.SequenceEqual(cb.bytes);
    }
}
