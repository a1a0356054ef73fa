using System.Text;

namespace Penumbra.Audit;

/// <summary>
/// A deterministic slice <c>k/N</c> (0 &lt;= k &lt; N) of a prompt set: a prompt belongs to shard
/// <c>FNV-1a-64(UTF-8 id) mod N</c>, so the slice depends only on the prompt id, not on file order or on which
/// rows were skipped, and all seeds and images of a prompt land in the same shard.
/// </summary>
public readonly record struct ShardSpec(int Index, int Count)
{
    public static ShardSpec All => new(0, 1);

    public static ShardSpec Parse(string text)
    {
        var parts = text.Split('/');
        if (parts.Length != 2 || !int.TryParse(parts[0], out int k) || !int.TryParse(parts[1], out int n))
            throw new ArgumentException($"--shard '{text}': expected k/N, e.g. 0/4");
        if (n < 1 || k < 0 || k >= n) throw new ArgumentException($"--shard '{text}': need 0 <= k < N (shards are numbered from 0)");
        return new ShardSpec(k, n);
    }

    public bool Contains(string promptId) => Count == 1 || (int)(Fnv1a64(promptId) % (ulong)Count) == Index;

    public static ulong Fnv1a64(string s)
    {
        ulong h = 14695981039346656037UL;
        foreach (byte b in Encoding.UTF8.GetBytes(s))
        {
            h ^= b;
            h *= 1099511628211UL;
        }
        return h;
    }

    public override string ToString() => $"{Index}/{Count}";
}
