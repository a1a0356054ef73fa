using Penumbra.Audit;
using Penumbra.Toy;

namespace Penumbra.Tests.Audit;

public class ToyAuditPromptsTests
{
    [Fact]
    public void BlocksStateWhatTheirNamesSay()
    {
        var rows = ToyAuditPrompts.Build(8, seed: 3);
        Assert.Equal(32, rows.Count);
        Assert.Equal(rows.Count, rows.Select(r => r.Id).Distinct().Count());
        var seenShapes = new[] { ToyShape.Circle, ToyShape.Square, ToyShape.Cross, ToyShape.Ring };
        var english = rows.Where(r => r.Set == "in").ToList();
        var finnish = rows.Where(r => r.Set == "finnish").ToList();
        Assert.Equal(8, english.Count);
        for (int i = 0; i < english.Count; i++)
        {
            var p = ToyCaptionParser.Parse(english[i].Prompt);
            Assert.Contains(p.Shape!.Value, seenShapes);
            Assert.True(p.Color is { } c && c != ToyColor.Purple, english[i].Prompt);
            Assert.True(p.Position is ToyPosition.Left or ToyPosition.Centre, english[i].Prompt);
            Assert.Empty(p.UnknownWords);
            Assert.True(p.SameAttributes(ToyCaptionParser.Parse(finnish[i].Prompt)), $"{english[i].Prompt} vs {finnish[i].Prompt}");
            Assert.Equal(("in", ""), (english[i].Label, finnish[i].Label));
        }
        foreach (var r in rows.Where(r => r.Set.StartsWith("ood-", StringComparison.Ordinal)))
        {
            var p = ToyCaptionParser.Parse(r.Prompt);
            Assert.Equal("out", r.Label);
            switch (r.Set)
            {
                case "ood-triangle": Assert.Equal(ToyShape.Triangle, p.Shape); break;
                case "ood-purple": Assert.Equal(ToyColor.Purple, p.Color); break;
                case "ood-position": Assert.True(p.Position is ToyPosition.Right or ToyPosition.Top or ToyPosition.Bottom, r.Prompt); break;
                default: Assert.Equal("ood-novel", r.Set); Assert.Single(p.UnknownWords); Assert.Null(p.Shape); break;
            }
        }
        Assert.All(rows.Where(r => r.Set == "colourless"), r => Assert.Null(ToyCaptionParser.Parse(r.Prompt).Color));
        Assert.Equal(rows, ToyAuditPrompts.Build(8, seed: 3));
    }

    [Fact]
    public void TheCsvReadsBackWithLabelsAndGroups()
    {
        using var tmp = new TempFolder();
        var rows = ToyAuditPrompts.Build(4);
        var path = tmp.Write("prompts.csv", ToyAuditPrompts.ToCsv(rows));
        var read = PromptSource.FromFile(path, new PromptSetOptions()).Read(bad => Assert.Fail(bad.ToString())).ToList();
        Assert.Equal(rows.Select(r => (r.Id, r.Prompt)), read.Select(p => (p.Id, p.Text)));
        Assert.Equal(rows.Select(r => r.Label == "" ? (bool?)null : r.Label == "out"), read.Select(p => p.OutOfDistribution));
        Assert.All(read.Zip(rows), p => Assert.Equal((p.Second.Language, p.Second.Set, p.Second.Colour),
            (p.First.Groups["language"], p.First.Groups["set"], p.First.Groups["colour"])));
    }
}
