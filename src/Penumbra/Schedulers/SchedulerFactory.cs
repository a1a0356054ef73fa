using static TorchSharp.torch;

namespace Penumbra.Schedulers;

/// <summary>
/// Builds a scheduler from a config by diffusers class name (<c>_class_name</c>) or by a short name. Choosing a class
/// other than the config's keeps its betas, offsets and other shared keys, as diffusers' <c>from_config</c> does;
/// keys the new class does not read are kept in the config but ignored.
/// </summary>
public static class SchedulerFactory
{
    /// <summary>Short names: (name, diffusers class, what the name adds to the config).</summary>
    private static readonly (string Name, string ClassName, Func<SchedulerConfig, SchedulerConfig> Adjust)[] Short =
    {
        ("ddim", DDIMScheduler.ClassName, c => c),
        ("pndm", PNDMScheduler.ClassName, c => c),
        ("euler", EulerDiscreteScheduler.ClassName, c => c),
        ("euler_a", EulerAncestralDiscreteScheduler.ClassName, c => c),
        ("dpmpp_2m", DPMSolverMultistepScheduler.ClassName,
            c => c with { AlgorithmType = "dpmsolver++", SolverOrder = 2, UseKarrasSigmas = false }),
        ("dpmpp_2m_karras", DPMSolverMultistepScheduler.ClassName,
            c => c with { AlgorithmType = "dpmsolver++", SolverOrder = 2, UseKarrasSigmas = true }),
        ("lms", LMSDiscreteScheduler.ClassName, c => c),
        ("heun", HeunDiscreteScheduler.ClassName, c => c),
        ("ddpm", DDPMScheduler.ClassName, c => c),
    };

    private static readonly Dictionary<string, Func<SchedulerConfig, IScheduler>> Classes = new()
    {
        [DDIMScheduler.ClassName] = c => new DDIMScheduler(c),
        [PNDMScheduler.ClassName] = c => new PNDMScheduler(c),
        [EulerDiscreteScheduler.ClassName] = c => new EulerDiscreteScheduler(c),
        [EulerAncestralDiscreteScheduler.ClassName] = c => new EulerAncestralDiscreteScheduler(c),
        [DPMSolverMultistepScheduler.ClassName] = c => new DPMSolverMultistepScheduler(c),
        [LMSDiscreteScheduler.ClassName] = c => new LMSDiscreteScheduler(c),
        [HeunDiscreteScheduler.ClassName] = c => new HeunDiscreteScheduler(c),
        [DDPMScheduler.ClassName] = c => new DDPMScheduler(c),
    };

    /// <summary>The short names accepted by <see cref="Create(string, SchedulerConfig)"/>.</summary>
    public static IReadOnlyList<string> Names { get; } = Short.Select(s => s.Name).ToArray();

    /// <summary>The diffusers class names accepted by <see cref="Create(string, SchedulerConfig)"/>.</summary>
    public static IReadOnlyList<string> ClassNames { get; } = Classes.Keys.ToArray();

    /// <summary>The scheduler of the config's own <c>_class_name</c>.</summary>
    public static IScheduler Create(SchedulerConfig config) =>
        Create(config.ClassName ?? throw new ArgumentException("scheduler config has no _class_name; pass a scheduler name"), config);

    /// <summary>
    /// The scheduler named <paramref name="name"/> (a short name such as <c>euler_a</c>, or a diffusers class name such as
    /// <c>EulerAncestralDiscreteScheduler</c>; case-insensitive), configured from <paramref name="config"/>.
    /// </summary>
    public static IScheduler Create(string name, SchedulerConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        // The constructors' intermediate tensors (beta schedules, cumulative products) die with this scope; what a
        // scheduler keeps it detaches from it (SchedulerBase.Own).
        using var scope = NewDisposeScope();
        var shortName = Short.FirstOrDefault(s => string.Equals(s.Name, name, StringComparison.OrdinalIgnoreCase));
        if (shortName.Name is not null) return Classes[shortName.ClassName](shortName.Adjust(config));
        var className = Classes.Keys.FirstOrDefault(k => string.Equals(k, name, StringComparison.OrdinalIgnoreCase));
        if (className is not null) return Classes[className](config);
        throw new ArgumentException(
            $"unknown scheduler '{name}'; valid names: {string.Join(", ", Names)} (or a class: {string.Join(", ", ClassNames)})");
    }

    /// <summary>
    /// Reads <c>scheduler_config.json</c> from <paramref name="folder"/> (a model folder with a <c>scheduler/</c>
    /// subfolder, or the scheduler folder itself) and builds its class, or <paramref name="name"/> if given.
    /// </summary>
    public static IScheduler FromPretrained(string folder, string? name = null)
    {
        string sub = Path.Combine(folder, "scheduler");
        var config = SchedulerConfig.Load(File.Exists(Path.Combine(sub, SchedulerConfig.FileName)) ? sub : folder);
        return name is null ? Create(config) : Create(name, config);
    }
}
