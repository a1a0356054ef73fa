using System.Security.Cryptography;
using System.Text;

namespace Penumbra.Audit.Scoring;

/// <summary>SHA-256 over a model folder's files (relative path, length and content of each, in ordinal path order), so
/// that a resume or a shard merge refuses results of a different model even when it sits in the same folder (a
/// retrained model keeps file names and sizes).</summary>
public static class ModelFingerprint
{
    public static string Compute(string folderOrFile)
    {
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        string root = Path.GetFullPath(folderOrFile);
        var files = File.Exists(root) ? new[] { root }
            : Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal).ToArray();
        var buffer = new byte[1 << 20];
        foreach (var file in files)
        {
            string rel = File.Exists(folderOrFile) ? Path.GetFileName(file) : Path.GetRelativePath(root, file).Replace('\\', '/');
            using var stream = File.OpenRead(file);
            sha.AppendData(Encoding.UTF8.GetBytes($"{rel}\0{stream.Length}\0"));
            int n;
            while ((n = stream.Read(buffer, 0, buffer.Length)) > 0) sha.AppendData(buffer, 0, n);
        }
        return Convert.ToHexString(sha.GetHashAndReset()).ToLowerInvariant();
    }
}
