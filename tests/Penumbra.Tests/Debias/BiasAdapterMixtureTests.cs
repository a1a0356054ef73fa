using Penumbra.Debias;
using Penumbra.IO;
using static TorchSharp.torch;

namespace Penumbra.Tests.Debias;

public class BiasAdapterMixtureTests
{
    private static readonly string[] Prompts = { "a circle", "big square, left", "a red ring", "" };

    private static Tensor BaseStates(Penumbra.Models.Clip.ClipTextModel encoder, Penumbra.Tokenizers.ClipTokenizer tokenizer, IReadOnlyList<string> prompts)
    {
        using var noGrad = no_grad();
        var ids = prompts.Select(p => tokenizer.EncodeForModel(p).Ids).ToArray();
        using var output = encoder.Forward(tensor(ids.SelectMany(x => x).ToArray(), new long[] { ids.Length, 77 }));
        return output.LastHiddenState.clone();
    }

    [Fact]
    public void UntrainedExpertsWithoutTheTokenAreBitIdenticalToTheBaseEncoder()
    {
        var tokenizer = DebiasTestModels.Tokenizer();
        using var encoder = DebiasTestModels.TextEncoder();
        var expected = BaseStates(encoder, tokenizer, Prompts);
        using var mixture = DebiasTestModels.Mixture(encoder, tokenizer, DebiasTestModels.Config(token: false, gate: false));
        using var attached = mixture.Attach(encoder, tokenizer);
        using var adapted = attached.Encode(Prompts);
        Assert.Equal(new[] { 0, 0, 0, -1 }.Select(e => e >= 0), attached.LastDecisions.Select(d => !d.IsIdentity));   // routed, adapters ran
        Assert.True(DebiasTestModels.Same(expected, adapted));
    }

    [Fact]
    public void TheTokenChangesOnlyRoutedRowsAndSitsBeforeTheEos()
    {
        var tokenizer = DebiasTestModels.Tokenizer();
        using var encoder = DebiasTestModels.TextEncoder();
        var expected = BaseStates(encoder, tokenizer, Prompts);
        using var mixture = DebiasTestModels.Mixture(encoder, tokenizer);
        using var attached = mixture.Attach(encoder, tokenizer);
        using var adapted = attached.Encode(Prompts);
        var routed = attached.LastDecisions.Select(d => !d.IsIdentity).ToArray();
        Assert.Equal(new[] { true, true, false, false }, routed);   // "red" names the colour, "" is the unconditional prompt
        for (int i = 0; i < Prompts.Length; i++)
            Assert.Equal(!routed[i], DebiasTestModels.Same(expected[i], adapted[i]));
        // "a circle" = BOS a circle EOS: with the token, positions 0..2 are unchanged (causal attention) and 3 differs.
        Assert.True(DebiasTestModels.Same(expected[0, ..3], adapted[0, ..3]));
        Assert.False(DebiasTestModels.Same(expected[0, 3], adapted[0, 3]));
        // The same as typing the token: the tokenizer now knows it as one id past the vocabulary.
        var plain = tokenizer.EncodeForModel("a circle").Ids;
        Assert.Equal(plain.Take(3).Append(attached.TokenId).Append(tokenizer.EosTokenId), tokenizer.EncodeForModel("a circle <bias>").Ids.Take(5));
        using var typed = attached.Encode(new[] { "a circle <bias>" });
        Assert.True(DebiasTestModels.Same(adapted[0], typed[0]));
        attached.Enabled = false;
        using var off = attached.Encode(Prompts);
        Assert.True(DebiasTestModels.Same(expected, off));
    }

    [Fact]
    public void SaveAndLoadRoundTrip()
    {
        var dir = Directory.CreateTempSubdirectory("penumbra-adapters-").FullName;
        try
        {
            var tokenizer = DebiasTestModels.Tokenizer();
            using var encoder = DebiasTestModels.TextEncoder();
            var baseStates = BaseStates(encoder, tokenizer, Prompts);
            using var mixture = DebiasTestModels.Mixture(encoder, tokenizer, DebiasTestModels.Config(rank: 3) with { Layers = new[] { 1 } });
            using (no_grad()) foreach (var p in mixture.parameters()) p.add_(0.01);   // make the up-projections non-zero
            Tensor original;
            using (var a = mixture.Attach(encoder, tokenizer)) original = a.Encode(Prompts).detach().clone();
            mixture.Save(dir);
            using var loaded = BiasAdapterMixture.Load(dir);
            Assert.Equal(mixture.Config, loaded.Config with { Layers = mixture.Config.Layers, Subspace = mixture.Config.Subspace });
            Assert.Equal(new[] { 1 }, loaded.Config.AdaptedLayers);
            Assert.Equal(mixture.Subspace.ExplicitThreshold, loaded.Subspace.ExplicitThreshold);
            Assert.True(DebiasTestModels.Same(mixture.Subspace.Projection, loaded.Subspace.Projection));
            foreach (var (k, v) in mixture.state_dict()) Assert.True(DebiasTestModels.Same(v, loaded.state_dict()[k]), k);
            using var b = loaded.Attach(encoder, tokenizer);
            Assert.True(DebiasTestModels.Same(original, b.Encode(Prompts)));
            Assert.False(DebiasTestModels.Same(original, baseStates));
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public void LoadRejectsMissingFilesAndForeignEncoders()
    {
        var dir = Directory.CreateTempSubdirectory("penumbra-adapters-").FullName;
        try
        {
            Assert.Throws<FileNotFoundException>(() => BiasAdapterMixture.Load(dir));
            var tokenizer = DebiasTestModels.Tokenizer();
            using var encoder = DebiasTestModels.TextEncoder();
            using var mixture = DebiasTestModels.Mixture(encoder, tokenizer);
            mixture.Save(dir);
            File.WriteAllText(Path.Combine(dir, BiasAdapterMixture.ConfigFile), File.ReadAllText(Path.Combine(dir, BiasAdapterMixture.ConfigFile)).Replace("\"rank\": 4", "\"rank\": 5"));
            var e = Assert.Throws<CheckpointFormatException>(() => BiasAdapterMixture.Load(dir));
            Assert.Contains("shape mismatch", e.Message);
            using var other = new Penumbra.Models.Clip.ClipTextModel(Penumbra.Toy.Models.ToyWorld.TextEncoderConfig with { NumHiddenLayers = 3 });
            Assert.Throws<ArgumentException>(() => mixture.Attach(other, tokenizer));
        }
        finally { Directory.Delete(dir, true); }
    }
}
