using System.Reflection;
using TorchSharp;
using static TorchSharp.torch;

namespace Penumbra.Models.Common;

/// <summary>A forward hook that sees every argument and the output, and returns the output to use.</summary>
internal delegate object? OutputHook(object?[] inputs, object? output);

/// <summary>
/// Registers an <see cref="OutputHook"/> as TorchSharp's typed forward hook of any <c>Module&lt;T1..Tn, TResult&gt;</c>
/// (n = 1..6). TorchSharp runs the hooks in <c>call()</c> only, so a module without hooks pays nothing.
/// </summary>
internal static class ForwardHooks
{
    private static readonly Type[] ModuleDefinitions =
    {
        typeof(nn.Module<,>), typeof(nn.Module<,,>), typeof(nn.Module<,,,>), typeof(nn.Module<,,,,>),
        typeof(nn.Module<,,,,,>), typeof(nn.Module<,,,,,,>),
    };

    /// <summary>Adds <paramref name="hook"/> to <paramref name="module"/>; the returned action removes it.</summary>
    public static Action Register(nn.Module module, string path, OutputHook hook)
    {
        var baseType = module.GetType();
        while (baseType is not null && !(baseType.IsGenericType && ModuleDefinitions.Contains(baseType.GetGenericTypeDefinition())))
            baseType = baseType.BaseType;
        if (baseType is null)
            throw new ArgumentException($"'{path}': {module.GetType().Name} is not a Module<T..., TResult> with a typed forward, so it cannot be tapped");
        var args = baseType.GetGenericArguments();
        var factory = typeof(ForwardHooks).GetMethod("Post" + (args.Length - 1), BindingFlags.NonPublic | BindingFlags.Static)!
            .MakeGenericMethod(args);
        var del = (Delegate)factory.Invoke(null, new object[] { hook })!;
        var register = baseType.GetMethod("register_forward_hook", new[] { del.GetType() })!;
        var remover = register.Invoke(module, new object[] { del })!;
        var remove = remover.GetType().GetMethod("remove")!;
        return () => remove.Invoke(remover, null);
    }

    private static Func<nn.Module<T1, TR>, T1, TR, TR> Post1<T1, TR>(OutputHook h) =>
        (_, a, r) => (TR)h(new object?[] { a }, r)!;

    private static Func<nn.Module<T1, T2, TR>, T1, T2, TR, TR> Post2<T1, T2, TR>(OutputHook h) =>
        (_, a, b, r) => (TR)h(new object?[] { a, b }, r)!;

    private static Func<nn.Module<T1, T2, T3, TR>, T1, T2, T3, TR, TR> Post3<T1, T2, T3, TR>(OutputHook h) =>
        (_, a, b, c, r) => (TR)h(new object?[] { a, b, c }, r)!;

    private static Func<nn.Module<T1, T2, T3, T4, TR>, T1, T2, T3, T4, TR, TR> Post4<T1, T2, T3, T4, TR>(OutputHook h) =>
        (_, a, b, c, d, r) => (TR)h(new object?[] { a, b, c, d }, r)!;

    private static Func<nn.Module<T1, T2, T3, T4, T5, TR>, T1, T2, T3, T4, T5, TR, TR> Post5<T1, T2, T3, T4, T5, TR>(OutputHook h) =>
        (_, a, b, c, d, e, r) => (TR)h(new object?[] { a, b, c, d, e }, r)!;

    private static Func<nn.Module<T1, T2, T3, T4, T5, T6, TR>, T1, T2, T3, T4, T5, T6, TR, TR> Post6<T1, T2, T3, T4, T5, T6, TR>(OutputHook h) =>
        (_, a, b, c, d, e, f, r) => (TR)h(new object?[] { a, b, c, d, e, f }, r)!;
}
