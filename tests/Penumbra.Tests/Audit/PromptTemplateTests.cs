using Penumbra.Audit;

namespace Penumbra.Tests.Audit;

public class PromptTemplateTests
{
    [Fact]
    public void ExpandsTheCartesianProductFirstSlotOutermost()
    {
        var t = new PromptTemplate("a photo of a {gender} {occupation}");
        var lists = new Dictionary<string, IReadOnlyList<string>> { ["gender"] = new[] { "male", "female" }, ["occupation"] = new[] { "doctor", "nurse", "pilot" } };
        var prompts = t.Expand(lists).ToList();
        Assert.Equal(6, t.Count(lists));
        Assert.Equal(new[]
        {
            "a photo of a male doctor", "a photo of a male nurse", "a photo of a male pilot",
            "a photo of a female doctor", "a photo of a female nurse", "a photo of a female pilot",
        }, prompts.Select(p => p.Text));
        Assert.Equal(Enumerable.Range(1, 6).Select(i => $"t{i}"), prompts.Select(p => p.Id));
        Assert.Equal(new Dictionary<string, string> { ["gender"] = "female", ["occupation"] = "nurse" }, prompts[4].Groups);
    }

    [Fact]
    public void ShippedListsAreTheDebiasVlOccupationsAndTheGenderAndEthnicityLists()
    {
        // DebiasVL generative/job_list.py: 80 train + 20 test occupations, first 'Actor', last test 'Web Developer'.
        var train = ValueLists.Resource("occupations-debiasvl-train.txt");
        var test = ValueLists.Resource("occupations-debiasvl-test.txt");
        Assert.Equal(80, train.Count);
        Assert.Equal(20, test.Count);
        Assert.Equal(("Actor", "Zoologist", "Accountant", "Web Developer"), (train[0], train[^1], test[0], test[^1]));
        var all = ValueLists.BuiltIn("occupation");
        Assert.Equal(100, all.Count);
        Assert.Equal(100, all.Distinct().Count());
        Assert.Contains("bus driver", all);
        Assert.Equal(new[] { "male", "female" }, ValueLists.BuiltIn("gender"));
        Assert.Equal(7, ValueLists.BuiltIn("ethnicity").Count);
        var t = new PromptTemplate("a photo of a {gender} {occupation}");
        Assert.Equal(200, t.Count(t.ResolveLists(null)));
    }

    [Fact]
    public void UnknownSlotAndBadListsAreErrors()
    {
        var t = new PromptTemplate("a {colour} car");
        Assert.Contains("'{colour}' has no list", Assert.Throws<InvalidDataException>(() => t.ResolveLists(null)).Message);
        Assert.Throws<ArgumentException>(() => new PromptTemplate("no slots here"));
        using var tmp = new TempFolder();
        var dup = tmp.Write("l.txt", "# colours\nred\nblue\nred\n");
        Assert.Contains("l.txt:4: duplicate value 'red'", Assert.Throws<InvalidDataException>(() => ValueLists.ReadFile(dup)).Message);
        Assert.Equal(new[] { "red", "blue" }, ValueLists.ReadFile(tmp.Write("ok.txt", "# colours\nred\n\nblue\n")));
    }
}
