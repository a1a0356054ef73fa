using Penumbra.Audit;

namespace Penumbra.Tests.Audit;

public class PromptSetReaderTests
{
    private static (List<PromptRecord> Prompts, List<BadRow> Bad) ReadAll(string path, BadRowPolicy policy = BadRowPolicy.Skip, PromptSetOptions? options = null)
    {
        var bad = new List<BadRow>();
        var prompts = PromptSetReader.Read(path, (options ?? new PromptSetOptions()) with { OnBadRow = policy, ReportBadRow = bad.Add }).ToList();
        return (prompts, bad);
    }

    [Fact]
    public void CsvGroupsLabelsAndMultilineQuotes()
    {
        using var tmp = new TempFolder();
        var path = tmp.Write("p.csv",
            "id,prompt,language,gender,label\n" +
            "a1,a photo of a cat,en,,in\n" +
            "a2,\"a dog,\nwith a hat\",fi,female,ood\n" +
            "\n" +
            ",kissa,fi,male,\n");
        var (prompts, bad) = ReadAll(path);
        Assert.Empty(bad);
        Assert.Equal(new[] { "a1", "a2", "L6" }, prompts.Select(p => p.Id));
        Assert.Equal("a dog,\nwith a hat", prompts[1].Text);
        Assert.Equal(new long[] { 2, 3, 6 }, prompts.Select(p => p.Line));
        Assert.Equal(new Dictionary<string, string> { ["language"] = "en" }, prompts[0].Groups);
        Assert.Equal(new Dictionary<string, string> { ["language"] = "fi", ["gender"] = "female" }, prompts[1].Groups);
        Assert.Equal(new bool?[] { false, true, null }, prompts.Select(p => p.OutOfDistribution));
    }

    [Fact]
    public void MalformedRowsAreReportedWithLineNumbersAndSkipped()
    {
        using var tmp = new TempFolder();
        var path = tmp.Write("bad.csv",
            "id,prompt,label\n" +   // line 1
            "1,fine,in\n" +        // 2
            "2,,in\n" +            // 3: empty prompt
            "3,too,many,fields\n" + // 4: field count
            "4,ok,maybe\n" +       // 5: bad label
            "1,again,out\n" +      // 6: duplicate id
            "5,last,out\n");       // 7
        var (prompts, bad) = ReadAll(path);
        Assert.Equal(new[] { "1", "5" }, prompts.Select(p => p.Id));
        Assert.Equal(new long[] { 3, 4, 5, 6 }, bad.Select(b => b.Line).Order());
        Assert.Contains(bad, b => b.Line == 3 && b.Reason.Contains("empty prompt"));
        Assert.Contains(bad, b => b.Line == 4 && b.Reason.Contains("field count"));
        Assert.Contains(bad, b => b.Line == 5 && b.Reason.Contains("maybe"));
        Assert.Contains(bad, b => b.Line == 6 && b.Reason.Contains("duplicate id '1'"));
        Assert.All(bad, b => Assert.Equal(path, b.File));
    }

    [Fact]
    public void FailPolicyRejectsTheFirstBadRowNamingFileAndLine()
    {
        using var tmp = new TempFolder();
        var path = tmp.Write("bad.csv", "prompt\nfine\n\"\"\nnever reached\n");
        var e = Assert.Throws<InvalidDataException>(() => ReadAll(path, BadRowPolicy.Fail));
        Assert.Contains($"{path}:3: empty prompt", e.Message);
    }

    [Fact]
    public void MissingPromptColumnIsOneClearError()
    {
        using var tmp = new TempFolder();
        var path = tmp.Write("x.csv", "text,language\nhello,en\n");
        var e = Assert.Throws<InvalidDataException>(() => ReadAll(path));
        Assert.Contains("no 'prompt' column", e.Message);
        Assert.Equal("hello", ReadAll(path, options: new PromptSetOptions { TextColumn = "text" }).Prompts.Single().Text);
    }

    [Fact]
    public void JsonlWithBadLines()
    {
        using var tmp = new TempFolder();
        var path = tmp.Write("p.jsonl",
            "{\"prompt\": \"a red car\", \"language\": \"en\", \"label\": 0}\n" +
            "{\"prompt\": \"punainen auto\", \"language\": \"fi\", \"label\": \"out\", \"n\": 3}\n" +
            "not json\n" +
            "\n" +
            "{\"text\": \"no prompt key\"}\n" +
            "[1, 2]\n" +
            "{\"prompt\": \"x\", \"language\": {\"nested\": 1}}\n");
        var (prompts, bad) = ReadAll(path);
        Assert.Equal(new[] { "a red car", "punainen auto" }, prompts.Select(p => p.Text));
        Assert.Equal(new Dictionary<string, string> { ["language"] = "fi", ["n"] = "3" }, prompts[1].Groups);
        Assert.Equal(new bool?[] { false, true }, prompts.Select(p => p.OutOfDistribution));
        Assert.Equal(new long[] { 3, 5, 6, 7 }, bad.Select(b => b.Line));
    }

    [Fact]
    public void PlainTextAndTsv()
    {
        using var tmp = new TempFolder();
        var text = tmp.Write("p.txt", "first prompt\n\n  second prompt  \n");
        Assert.Equal(new[] { ("L1", "first prompt"), ("L3", "second prompt") }, ReadAll(text).Prompts.Select(p => (p.Id, p.Text)));
        var tsv = tmp.Write("p.tsv", "prompt\tgroup\na, b\tx\n");
        var p = ReadAll(tsv).Prompts.Single();
        Assert.Equal(("a, b", "x"), (p.Text, p.Groups["group"]));
    }

    [Fact]
    public void ExplicitGroupColumnsMustExist()
    {
        using var tmp = new TempFolder();
        var path = tmp.Write("p.csv", "prompt,language,note\nhi,en,whatever\n");
        var only = ReadAll(path, options: new PromptSetOptions { GroupColumns = new[] { "language" } }).Prompts.Single();
        Assert.Equal(new[] { "language" }, only.Groups.Keys);
        Assert.Throws<InvalidDataException>(() => ReadAll(path, options: new PromptSetOptions { GroupColumns = new[] { "region" } }));
    }
}
