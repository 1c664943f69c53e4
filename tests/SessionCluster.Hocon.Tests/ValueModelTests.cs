namespace SessionCluster.Hocon.Tests;

/// <summary>The resolved value model: kinds, origins and path lookup.</summary>
public sealed class ValueModelTests
{
    [Theory]
    [InlineData("v = 42", HoconScalarKind.Number, "42")]
    [InlineData("v = -1.5e3", HoconScalarKind.Number, "-1.5e3")]
    [InlineData("v = true", HoconScalarKind.Boolean, "true")]
    [InlineData("v = null", HoconScalarKind.Null, "null")]
    [InlineData("v = \"true\"", HoconScalarKind.String, "true")]
    [InlineData("v = \"42\"", HoconScalarKind.String, "42")]
    [InlineData("v = hello", HoconScalarKind.String, "hello")]
    [InlineData("v = 42 apples", HoconScalarKind.String, "42 apples")]
    [InlineData("n = 7\nv = ${n}", HoconScalarKind.Number, "7")]
    public void Scalars_keep_their_kind_and_text(string hocon, HoconScalarKind kind, string text)
    {
        var scalar = Assert.IsType<HoconScalar>(HoconParser.Parse(hocon).Find("v"));

        Assert.Equal(kind, scalar.Kind);
        Assert.Equal(text, scalar.Text);
    }

    [Theory]
    [InlineData("a", 1, 3)]
    [InlineData("a.b", 2, 5)]
    [InlineData("a.b.c", 3, 9)]
    [InlineData("list", 6, 8)]
    [InlineData("list.0", 6, 9)]
    [InlineData("\"dotted.key\"", 7, 16)]
    [InlineData("x.y", 8, 1)]
    public void Values_carry_file_line_and_column(string path, int line, int column)
    {
        // Objects and arrays are located at their opening bracket, path-expanded objects at their key.
        const string text = "a {\n  b {\n    c = \"x\"\n  }\n}\nlist = [1]\n\"dotted.key\" = 3\nx.y.z = 1";

        var document = HoconParser.Parse(text, "app.conf");

        var value = path == "list.0"
            ? Assert.IsType<HoconArray>(document.Find("list")).Items[0]
            : document.Find(path)!;
        Assert.Equal(new HoconOrigin("app.conf", line, column), value.Origin);
    }

    [Fact]
    public void Array_items_and_fields_are_in_document_order()
    {
        var document = HoconParser.Parse("z = 1\na = [3, 1, 2]\nm = 2\nz = 3");

        Assert.Equal(["z", "a", "m"], document.Keys);
        var items = Assert.IsType<HoconArray>(document.Find("a")).Items;
        Assert.Equal(["3", "1", "2"], items.Cast<HoconScalar>().Select(item => item.Text));
    }

    [Fact]
    public void Find_returns_null_for_missing_or_non_object_steps()
    {
        var document = HoconParser.Parse("a { b = 1 }");

        Assert.Null(document.Find("a.x"));
        Assert.Null(document.Find("a.b.c"));
        Assert.NotNull(document.Find("a"));
    }

    [Fact]
    public void Origin_renders_as_file_line_column()
    {
        Assert.Equal("hocon/worker.conf:12:7", new HoconOrigin("hocon/worker.conf", 12, 7).ToString());
    }

    [Fact]
    public void Exception_exposes_location_and_problem()
    {
        var error = new HoconException(new HoconOrigin("w.conf", 3, 4), "boom");

        Assert.Equal("w.conf:3:4: boom", error.Message);
        Assert.Equal(("w.conf", 3, 4, "boom"), (error.File, error.Line, error.Column, error.Problem));
    }
}
