using TorchSharp;

namespace Penumbra.Models.Common;

/// <summary>Finds a submodule by its dotted name (the prefix of its state-dict keys, as in PyTorch's
/// <c>get_submodule</c>). The empty path is the root.</summary>
public static class ModulePaths
{
    public static torch.nn.Module Find(torch.nn.Module root, string path)
    {
        if (string.IsNullOrEmpty(path)) return root;
        var current = root;
        string walked = "";
        foreach (var segment in path.Split('.'))
        {
            torch.nn.Module? next = null;
            foreach (var (name, child) in current.named_children())
                if (name == segment) { next = child; break; }
            if (next is null)
            {
                var children = string.Join(", ", current.named_children().Select(c => c.name));
                throw new ArgumentException($"'{path}': {(walked.Length == 0 ? "the root module" : $"'{walked}'")} has no submodule " +
                    $"'{segment}' (children: {(children.Length == 0 ? "none" : children)})");
            }
            current = next;
            walked = walked.Length == 0 ? segment : walked + "." + segment;
        }
        return current;
    }
}
