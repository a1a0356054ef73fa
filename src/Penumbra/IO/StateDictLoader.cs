using TorchSharp;

namespace Penumbra.IO;

/// <summary>
/// Copies named tensors into a module's parameters and persistent buffers. Strict by default: one
/// <see cref="CheckpointFormatException"/> lists every missing key, unexpected key and shape mismatch.
/// Floating-point tensors are converted to the module's dtype on load (an F16 file fills an F32 module); a
/// floating-point tensor for an integer/bool slot or the reverse is a mismatch. <paramref name="optionalKeys"/> may be
/// missing from the checkpoint, or present in it without a slot in the module (then ignored).
/// </summary>
public static class StateDictLoader
{
    public static void Load(torch.nn.Module module, ITensorSource source, bool strict = true, IEnumerable<string>? optionalKeys = null)
    {
        var optional = new HashSet<string>(optionalKeys ?? Array.Empty<string>(), StringComparer.Ordinal);
        var target = module.state_dict();
        var problems = new List<string>();
        foreach (var (key, t) in target)
        {
            if (!source.Contains(key))
            {
                if (strict && !optional.Contains(key)) problems.Add($"missing key '{key}' (shape [{string.Join(",", t.shape)}])");
                continue;
            }
            var shape = source.Shape(key);
            if (!shape.SequenceEqual(t.shape))
                problems.Add($"shape mismatch for '{key}': checkpoint [{string.Join(",", shape)}], model [{string.Join(",", t.shape)}]");
            var dtype = source.DType(key);
            if (torch.is_floating_point(dtype) != torch.is_floating_point(t.dtype))
                problems.Add($"dtype mismatch for '{key}': checkpoint {dtype}, model {t.dtype} (only conversions between floating-point types are made)");
        }
        if (strict)
            foreach (var key in source.Keys)
                if (!target.ContainsKey(key) && !optional.Contains(key))
                    problems.Add($"unexpected key '{key}'");
        if (problems.Count > 0)
            throw new CheckpointFormatException(source.Description,
                $"cannot load into {module.GetType().Name}: {problems.Count} problem(s):\n  " + string.Join("\n  ", problems));

        using var noGrad = torch.no_grad();
        foreach (var (key, t) in target)
        {
            if (!source.Contains(key)) continue;
            using var scope = torch.NewDisposeScope();
            var loaded = source.Load(key, t.dtype);
            t.copy_(loaded);
        }
    }
}
