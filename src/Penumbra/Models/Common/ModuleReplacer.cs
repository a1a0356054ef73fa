using System.Reflection;
using TorchSharp;
using TorchSharp.Modules;

namespace Penumbra.Models.Common;

/// <summary>
/// Puts a new module in place of a named submodule, in the parent's field (or list slot) and in its registered
/// children at the same position, so <c>state_dict()</c> keys follow the new module (e.g. replacing
/// <c>…attn1.to_q</c> by a mixture of experts turns <c>…to_q.weight</c> into <c>…to_q.gate.weight</c> and
/// <c>…to_q.experts.N.weight</c>) and the parent's forward calls the new module. The new module is not moved to the
/// model's device or dtype.
/// </summary>
public static class ModuleReplacer
{
    private static readonly FieldInfo Submodules =
        typeof(torch.nn.Module).GetField("_internal_submodules", BindingFlags.NonPublic | BindingFlags.Instance)
        ?? throw new MissingFieldException("TorchSharp Module._internal_submodules not found");

    private static readonly MethodInfo RegisterComponents =
        typeof(torch.nn.Module).GetMethod("RegisterComponents", BindingFlags.NonPublic | BindingFlags.Instance)
        ?? throw new MissingMethodException("TorchSharp Module.RegisterComponents not found");

    /// <summary>Replaces <paramref name="path"/> under <paramref name="root"/> and returns the module it replaced.</summary>
    public static torch.nn.Module Replace(torch.nn.Module root, string path, torch.nn.Module replacement)
    {
        if (string.IsNullOrEmpty(path)) throw new ArgumentException("the path of the module to replace is empty");
        int dot = path.LastIndexOf('.');
        var parent = ModulePaths.Find(root, dot < 0 ? "" : path[..dot]);
        string name = path[(dot + 1)..];
        var old = ModulePaths.Find(parent, name);

        var parentType = parent.GetType();
        if (parentType.IsGenericType && parentType.GetGenericTypeDefinition() == typeof(ModuleList<>))
        {
            var element = parentType.GetGenericArguments()[0];
            if (!element.IsInstanceOfType(replacement))
                throw new ArgumentException($"'{path}': the list holds {element.Name}, a {replacement.GetType().Name} cannot take its place");
            parentType.GetProperty("Item")!.SetValue(parent, replacement, new object[] { int.Parse(name) });
        }
        else
        {
            var field = FindField(parent, name, old)
                ?? throw new ArgumentException($"'{path}': {parentType.Name} has no field holding this submodule");
            if (!field.FieldType.IsInstanceOfType(replacement))
                throw new ArgumentException($"'{path}': field {parentType.Name}.{field.Name} is a {field.FieldType.Name}, " +
                    $"a {replacement.GetType().Name} cannot take its place");
            field.SetValue(parent, replacement);
        }

        RegisterComponents.Invoke(replacement, null);
        var children = (TorchSharp.Utils.OrderedDict<string, torch.nn.Module>)Submodules.GetValue(parent)!;
        children[name] = replacement;
        return old;
    }

    private static FieldInfo? FindField(torch.nn.Module parent, string name, torch.nn.Module current)
    {
        for (var t = parent.GetType(); t is not null && t != typeof(torch.nn.Module); t = t.BaseType)
            foreach (var f in t.GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly))
                if (f.ComponentName() == name && ReferenceEquals(f.GetValue(parent), current))
                    return f;
        return null;
    }
}
