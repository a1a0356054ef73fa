using Penumbra.Audit;

namespace Penumbra.Tests.Audit;

public class ShardSpecTests
{
    [Fact]
    public void Fnv1aMatchesPublishedTestVectors()
    {
        // FNV-1a 64: offset basis for the empty string; "a" -> 0xaf63dc4c8601ec8c; "foobar" -> 0x85944171f73967e8.
        Assert.Equal(0xcbf29ce484222325UL, ShardSpec.Fnv1a64(""));
        Assert.Equal(0xaf63dc4c8601ec8cUL, ShardSpec.Fnv1a64("a"));
        Assert.Equal(0x85944171f73967e8UL, ShardSpec.Fnv1a64("foobar"));
    }

    [Fact]
    public void ShardsPartitionTheIds()
    {
        var ids = Enumerable.Range(0, 1000).Select(i => $"p{i}").ToList();
        var shards = Enumerable.Range(0, 4).Select(k => ShardSpec.Parse($"{k}/4")).ToList();
        var owners = ids.Select(id => shards.Count(s => s.Contains(id))).ToList();
        Assert.All(owners, n => Assert.Equal(1, n));
        Assert.All(shards, s => Assert.InRange(ids.Count(s.Contains), 200, 300));
        // "a" hashes to 0xaf63dc4c8601ec8c: 0 mod 4 (last hex digit c = 12), and its residue mod 3 picks the shard of 3.
        Assert.True(new ShardSpec(0, 4).Contains("a"));
        Assert.True(new ShardSpec((int)(0xaf63dc4c8601ec8cUL % 3), 3).Contains("a"));
    }

    [Theory]
    [InlineData("4/4")]
    [InlineData("-1/2")]
    [InlineData("1")]
    [InlineData("a/b")]
    [InlineData("0/0")]
    public void BadShardsAreRejected(string text) => Assert.Throws<ArgumentException>(() => ShardSpec.Parse(text));
}
