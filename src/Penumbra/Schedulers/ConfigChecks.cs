namespace Penumbra.Schedulers;

/// <summary>Validation of string-valued scheduler config keys: one clear error naming class, key, value and the valid values.</summary>
internal static class ConfigChecks
{
    public static void OneOf(string? value, string key, string className, params string[] valid)
    {
        if (value is null || !valid.Contains(value))
            throw new NotSupportedException(
                $"{className}: {key} '{value ?? "null"}' is not supported; valid: {string.Join(", ", valid)}");
    }
}
