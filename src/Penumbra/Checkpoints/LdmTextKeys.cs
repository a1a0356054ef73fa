namespace Penumbra.Checkpoints;

/// <summary>
/// Text encoder layouts. SD 1.x (<c>FrozenCLIPEmbedder</c>): the transformers keys unchanged. SD 2.x
/// (<c>FrozenOpenCLIPEmbedder</c>), as diffusers' <c>convert_open_clip_checkpoint</c>: <c>token_embedding</c>,
/// <c>positional_embedding</c> (a bare tensor), <c>ln_final</c>, and per layer <c>transformer.resblocks.n.{ln_1, ln_2,
/// attn.out_proj, mlp.c_fc, mlp.c_proj}</c>, with <c>attn.in_proj_weight/bias</c> = q, k, v concatenated along dim 0.
/// The diffusers encoder has one layer less than the OpenCLIP tower (SD 2 uses the penultimate layer); the last
/// resblock, <c>text_projection</c> and <c>logit_scale</c> have no diffusers counterpart.
/// </summary>
public static class LdmTextKeys
{
    public static LdmKeyTable Clip()
    {
        var t = new LdmKeyTable();
        t.Add("text_model", "text_model");
        return t;
    }

    public static LdmKeyTable OpenClip(int layers)
    {
        var t = new LdmKeyTable();
        t.AddExact("token_embedding.weight", "text_model.embeddings.token_embedding.weight");
        t.AddExact("positional_embedding", "text_model.embeddings.position_embedding.weight");
        t.Add("ln_final", "text_model.final_layer_norm");
        for (int n = 0; n < layers; n++)
        {
            string o = $"transformer.resblocks.{n}", d = $"text_model.encoder.layers.{n}";
            t.Add($"{o}.ln_1", $"{d}.layer_norm1");
            t.Add($"{o}.ln_2", $"{d}.layer_norm2");
            t.Add($"{o}.attn.out_proj", $"{d}.self_attn.out_proj");
            t.Add($"{o}.mlp.c_fc", $"{d}.mlp.fc1");
            t.Add($"{o}.mlp.c_proj", $"{d}.mlp.fc2");
            foreach (var leaf in new[] { "weight", "bias" })
                t.AddExact($"{o}.attn.in_proj_{leaf}", $"{d}.self_attn.q_proj.{leaf}", $"{d}.self_attn.k_proj.{leaf}", $"{d}.self_attn.v_proj.{leaf}");
        }
        return t;
    }
}
