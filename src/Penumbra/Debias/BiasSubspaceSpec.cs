using System.Text.RegularExpressions;

namespace Penumbra.Debias;

/// <summary>
/// How a <see cref="BiasSubspace"/> is built (DebiasVL, Chuang et al. 2023): for every pair and item the prompts
/// <see cref="Template"/> with <c>{attribute}</c> = the pair's first / second value and <c>{item}</c> = the item
/// ("A photo of a {attribute} {item}." with male / female and the 80 training occupations), and λ of
/// P = (λM + I)⁻¹. <see cref="NeutralTemplate"/> (the attribute left out) calibrates the gate's explicit-attribute
/// threshold.
/// </summary>
public sealed record BiasSubspaceSpec
{
    public IReadOnlyList<AttributePair> Pairs { get; init; } = Array.Empty<AttributePair>();
    public IReadOnlyList<string> Items { get; init; } = Array.Empty<string>();
    public string Template { get; init; } = "A photo of a {attribute} {item}.";

    /// <summary>Null: the template with <c>{attribute}</c> and the blanks after it removed.</summary>
    public string? NeutralTemplate { get; init; }

    /// <summary>DebiasVL's default λ = 500.</summary>
    public double Lambda { get; init; } = 500;

    public string Prompt(string attribute, string item) => Template.Replace("{attribute}", attribute).Replace("{item}", item);

    public string NeutralPrompt(string item) =>
        (NeutralTemplate ?? Regex.Replace(Template, @"\{attribute\}\s*", "")).Replace("{item}", item);

    /// <summary>Throws <see cref="ArgumentException"/> naming the first invalid field.</summary>
    public void Validate()
    {
        if (Pairs.Count == 0) throw new ArgumentException("bias subspace: at least one attribute pair is needed");
        if (Items.Count == 0) throw new ArgumentException("bias subspace: at least one item is needed");
        if (!Template.Contains("{attribute}") || !Template.Contains("{item}"))
            throw new ArgumentException($"bias subspace template '{Template}' must contain {{attribute}} and {{item}}");
        if (NeutralTemplate is not null && !NeutralTemplate.Contains("{item}"))
            throw new ArgumentException($"bias subspace neutral template '{NeutralTemplate}' must contain {{item}}");
        if (!(Lambda > 0) || double.IsInfinity(Lambda)) throw new ArgumentException($"bias subspace lambda {Lambda} must be a positive number");
        foreach (var p in Pairs)
            if (string.IsNullOrWhiteSpace(p.First) || string.IsNullOrWhiteSpace(p.Second) || p.First == p.Second)
                throw new ArgumentException($"bias subspace pair ({p.First}, {p.Second}) needs two different non-empty values");
    }
}
