using System.Text;
using SessionCluster.Actors.Management;

namespace SessionCluster.Actors.Tests.Management;

/// <summary>A thread's JSON scratch is reused from one document to the next, never shared by two at once, left clean by
/// a document that failed, and not kept once a large document grew it.</summary>
public sealed class JsonScratchTests
{
    [Fact]
    public void The_next_document_on_a_thread_reuses_the_scratch_and_starts_empty()
    {
        var first = JsonScratch.Rent();
        WriteObject(first, "a", new string('x', 100));
        Assert.Equal("{\"a\":\"" + new string('x', 100) + "\"}", Text(first));
        first.Return();

        var second = JsonScratch.Rent();
        WriteObject(second, "b", "y");

        Assert.Same(first, second);
        Assert.Equal("""{"b":"y"}""", Text(second));
        second.Return();
    }

    [Fact]
    public void A_document_built_while_another_is_open_gets_a_scratch_of_its_own()
    {
        var outer = JsonScratch.Rent();
        outer.Writer.WriteStartObject();

        var inner = JsonScratch.Rent();
        WriteObject(inner, "inner", "1");
        outer.Writer.WriteString("outer", "2");
        outer.Writer.WriteEndObject();
        outer.Writer.Flush();

        Assert.NotSame(outer, inner);
        Assert.Equal("""{"inner":"1"}""", Text(inner));
        Assert.Equal("""{"outer":"2"}""", Text(outer));
        inner.Return();
        outer.Return();
    }

    [Fact]
    public void A_document_that_failed_half_way_leaves_nothing_for_the_next()
    {
        var failed = JsonScratch.Rent();
        failed.Writer.WriteStartObject();
        failed.Writer.WriteStartArray("half");
        failed.Return();

        var next = JsonScratch.Rent();
        WriteObject(next, "whole", "yes");

        Assert.Equal("""{"whole":"yes"}""", Text(next));
        next.Return();
    }

    [Fact]
    public void A_scratch_grown_by_a_large_document_is_not_kept()
    {
        var large = JsonScratch.Rent();
        WriteObject(large, "big", new string('z', 100_000));
        large.Return();

        var next = JsonScratch.Rent();

        Assert.NotSame(large, next);
        next.Return();
        var after = JsonScratch.Rent();
        Assert.Same(next, after);
        after.Return();
    }

    private static void WriteObject(JsonScratch scratch, string name, string value)
    {
        scratch.Writer.WriteStartObject();
        scratch.Writer.WriteString(name, value);
        scratch.Writer.WriteEndObject();
        scratch.Writer.Flush();
    }

    private static string Text(JsonScratch scratch) => Encoding.UTF8.GetString(scratch.Written);
}
