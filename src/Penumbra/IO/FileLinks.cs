using System.Text;

namespace Penumbra.IO;

/// <summary>
/// Follows links to files. Real symbolic links are followed by the operating system; a git checkout without
/// symlink support (and the fixture sets) stores a link as a small text file whose only content is the relative
/// path of its target. <see cref="Resolve"/> follows both kinds, so such a file reads as its target.
/// </summary>
public static class FileLinks
{
    /// <summary>Longest link text considered (git link blobs are a path, far below this).</summary>
    public const int MaxLinkBytes = 1024;

    private const int MaxHops = 40;

    /// <summary>The file <paramref name="path"/> stands for: itself, or the target of a link-text file
    /// (followed transitively). A file whose text does not name an existing file is returned unchanged.</summary>
    public static string Resolve(string path)
    {
        string current = path;
        for (int hop = 0; hop < MaxHops; hop++)
        {
            string? next = LinkTarget(current);
            if (next is null) return current;
            current = next;
        }
        throw new IOException($"{path}: more than {MaxHops} nested links");
    }

    /// <summary>The target of a link-text file, or null when <paramref name="path"/> is an ordinary file.</summary>
    public static string? LinkTarget(string path)
    {
        // A real symbolic link is followed by the operating system (its own length is that of the link text).
        var info = new FileInfo(path);
        if (!info.Exists || info.LinkTarget is not null) return null;
        byte[] bytes;
        try
        {
            using var fs = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read);
            if (fs.Length == 0 || fs.Length > MaxLinkBytes) return null;
            bytes = new byte[fs.Length];
            fs.ReadExactly(bytes);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
        if (bytes.Any(b => b < 0x20 && b != (byte)'\n')) return null;
        string text;
        try
        {
            text = new UTF8Encoding(false, true).GetString(bytes).TrimEnd('\n');
        }
        catch (DecoderFallbackException)
        {
            return null;
        }
        if (text.Length == 0 || text.Contains('\n') || Path.IsPathRooted(text)) return null;
        string target = Path.GetFullPath(Path.Combine(Path.GetDirectoryName(Path.GetFullPath(path))!, text));
        return File.Exists(target) ? target : null;
    }
}
