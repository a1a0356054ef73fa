using System.Reflection;
using Penumbra.IO;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Penumbra.Checkpoints;

/// <summary>
/// Builds a model without allocating or initialising its weights (on the meta device), checks a tensor source against
/// it, then gives every parameter its tensor from the source, converted straight from the stored dtype to the compute
/// dtype. Peak memory is the model in the compute dtype plus one tensor in flight; no random initialisation is done.
/// TorchSharp selects the meta device through a process-wide default, so construction is serialised by a lock;
/// code running on other threads at the same moment that creates tensors without naming a device would get meta
/// tensors (tests that use this loader run in a non-parallel collection).
/// </summary>
public static class MetaModelLoader
{
    private static readonly object Gate = new();

    private static readonly MethodInfo RegisterParameter = typeof(nn.Module).GetMethod("ConditionallyRegisterParameter",
        BindingFlags.NonPublic | BindingFlags.Instance, new[] { typeof(string), typeof(Parameter) })
        ?? throw new MissingMethodException("TorchSharp nn.Module.ConditionallyRegisterParameter(string, Parameter)");

    /// <summary>Builds a model with <paramref name="build"/> on the meta device (shapes only).</summary>
    public static T BuildOnMeta<T>(Func<T> build) where T : nn.Module
    {
        lock (Gate)
        {
            var previous = get_default_device();
            set_default_device(META);
            try
            {
                return build();
            }
            finally
            {
                set_default_device(previous);
            }
        }
    }

    /// <summary>Builds, checks and fills the model; in eval mode on <paramref name="device"/>. <paramref name="originalName"/>
    /// names a model key in the user's terms in errors (e.g. the single file's key).</summary>
    public static T Load<T>(Func<T> build, ITensorSource source, ScalarType dtype, Device? device = null,
        Func<string, string>? originalName = null) where T : nn.Module
    {
        if (!is_floating_point(dtype)) throw new ArgumentException($"dtype {dtype} is not a floating-point type");
        var model = BuildOnMeta(build);
        try
        {
            Check(model, source, originalName);
            Materialize(model, source, dtype);
            if (device is not null && device.type != DeviceType.CPU) model.to(device);
            model.eval();
            return model;
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    /// <summary>One <see cref="CheckpointFormatException"/> listing every missing key, unexpected key and shape mismatch
    /// (up to 20 of each kind, with counts).</summary>
    public static void Check(nn.Module model, ITensorSource source, Func<string, string>? originalName = null)
    {
        string Name(string key) => originalName is null ? $"'{key}'" : $"'{originalName(key)}' (diffusers '{key}')";
        var expected = model.state_dict();
        var missing = expected.Keys.Where(k => !source.Contains(k)).Select(k => $"{Name(k)} [{string.Join(",", expected[k].shape)}]").ToList();
        var unexpected = source.Keys.Where(k => !expected.ContainsKey(k)).Select(Name).ToList();
        var shapes = expected.Where(kv => source.Contains(kv.Key) && !source.Shape(kv.Key).SequenceEqual(kv.Value.shape))
            .Select(kv => $"{Name(kv.Key)}: file [{string.Join(",", source.Shape(kv.Key))}], model [{string.Join(",", kv.Value.shape)}]").ToList();
        var dtypes = expected.Where(kv => source.Contains(kv.Key) && !is_floating_point(source.DType(kv.Key)))
            .Select(kv => $"{Name(kv.Key)}: {source.DType(kv.Key)} is not a floating-point type").ToList();
        var problems = new List<string>();
        void Report(string what, List<string> items)
        {
            if (items.Count == 0) return;
            problems.Add($"{items.Count} {what}: " + string.Join(", ", items.Take(20)) + (items.Count > 20 ? ", …" : ""));
        }
        Report("expected tensor(s) missing", missing);
        Report("unexpected tensor(s)", unexpected);
        Report("shape mismatch(es)", shapes);
        Report("dtype problem(s)", dtypes);
        if (problems.Count > 0)
            throw new CheckpointFormatException(source.Description, $"does not fit {model.GetType().Name} ({expected.Count} tensors expected, {source.Keys.Count()} found): " + string.Join("; ", problems));
    }

    /// <summary>Replaces every (meta) parameter by its tensor from <paramref name="source"/> in <paramref name="dtype"/>.</summary>
    public static void Materialize(nn.Module model, ITensorSource source, ScalarType dtype)
    {
        using var noGrad = no_grad();
        var modules = new List<(string Name, nn.Module Module)> { ("", model) };
        modules.AddRange(model.named_modules());
        foreach (var (prefix, module) in modules)
            foreach (var (name, old) in module.named_parameters(recurse: false).ToList())
            {
                string key = prefix.Length == 0 ? name : prefix + "." + name;
                var loaded = source.Load(key, dtype);
                var parameter = new Parameter(loaded, requires_grad: old.requires_grad);
                Assign(module, name, parameter);
            }
        foreach (var (key, p) in model.named_parameters())
            if (p.device_type == DeviceType.META)
                throw new InvalidOperationException($"parameter '{key}' of {model.GetType().Name} was not filled from {source.Description}");
    }

    /// <summary>Sets a parameter the way TorchSharp's own <c>Module.to</c> does: through the public property of that name
    /// (Linear.weight, Conv2d.bias, ...), else by re-registering it and updating a field of that name.</summary>
    private static void Assign(nn.Module module, string name, Parameter parameter)
    {
        var type = module.GetType();
        var property = type.GetProperty(name, BindingFlags.Public | BindingFlags.Instance);
        if (property is { CanWrite: true } && property.PropertyType.IsAssignableFrom(typeof(Parameter)))
        {
            property.SetValue(module, parameter);
            return;
        }
        RegisterParameter.Invoke(module, new object[] { name, parameter });
        for (var t = type; t is not null && t != typeof(object); t = t.BaseType)
            if (t.GetField(name, BindingFlags.NonPublic | BindingFlags.Public | BindingFlags.Instance | BindingFlags.DeclaredOnly) is { } field
                && field.FieldType.IsAssignableFrom(typeof(Parameter)))
            {
                field.SetValue(module, parameter);
                break;
            }
    }
}
