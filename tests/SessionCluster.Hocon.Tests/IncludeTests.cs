namespace SessionCluster.Hocon.Tests;

/// <summary><c>include</c> directives, resolved relative to the including file.</summary>
public sealed class IncludeTests : IDisposable
{
    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    [Fact]
    public void Included_fields_merge_and_substitutions_see_the_whole_tree()
    {
        _directory.Write("common.conf", "base-port = 2552\nremote { host = localhost }");
        var main = _directory.Write("main.conf", "include \"common.conf\"\nremote { port = ${base-port} }");

        var table = FlatTable.Of(HoconParser.ParseFile(main));

        Assert.Equal("base-port=2552 | remote:host=localhost | remote:port=2552", table);
    }

    [Theory]
    [InlineData("a = 1\ninclude \"b.conf\"", "a=2")]
    [InlineData("include \"b.conf\"\na = 1", "a=1")]
    public void Later_definitions_win_whether_included_or_not(string mainText, string expected)
    {
        _directory.Write("b.conf", "a = 2");
        var main = _directory.Write("main.conf", mainText);

        Assert.Equal(expected, FlatTable.Of(HoconParser.ParseFile(main)));
    }

    [Fact]
    public void Include_inside_an_object_nests_the_included_fields()
    {
        _directory.Write("remote.conf", "port = 1\nseeds += a");
        var main = _directory.Write("main.conf", "akka {\n  include \"remote.conf\"\n  seeds += b\n}");

        Assert.Equal("akka:port=1 | akka:seeds:0=a | akka:seeds:1=b", FlatTable.Of(HoconParser.ParseFile(main)));
    }

    [Fact]
    public void Nested_includes_resolve_relative_to_the_including_file()
    {
        _directory.Write("sub/inner.conf", "inner = yes");
        _directory.Write("sub/outer.conf", "include \"inner.conf\"\nouter = yes");
        var main = _directory.Write("main.conf", "include file(\"sub/outer.conf\")\ninclude required( file( \"sub/inner\" ) )");

        Assert.Equal("inner=yes | outer=yes", FlatTable.Of(HoconParser.ParseFile(main)));
    }

    [Fact]
    public void Missing_optional_include_is_ignored()
    {
        var main = _directory.Write("main.conf", "include \"nope.conf\"\ninclude file(\"nope2.conf\")\na = 1");

        Assert.Equal("a=1", FlatTable.Of(HoconParser.ParseFile(main)));
    }

    [Fact]
    public void Missing_required_include_fails_at_the_include_line()
    {
        var main = _directory.Write("main.conf", "a = 1\n  include required(\"nope.conf\")");

        var error = Assert.Throws<HoconException>(() => HoconParser.ParseFile(main, "main.conf"));

        Assert.StartsWith("main.conf:2:3: required include \"nope.conf\" was not found", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Include_cycle_is_an_error()
    {
        _directory.Write("a.conf", "include \"b.conf\"");
        _directory.Write("b.conf", "x = 1\ninclude \"a.conf\"");
        var main = _directory.Write("a.conf", "include \"b.conf\"");

        var error = Assert.Throws<HoconException>(() => HoconParser.ParseFile(main, "a.conf"));

        Assert.Equal("b.conf:2:1: include cycle: a.conf -> b.conf -> a.conf", error.Message);
    }

    [Fact]
    public void Errors_inside_included_files_name_that_file()
    {
        _directory.Write("conf/bad.conf", "ok = 1\nport 80");
        var main = _directory.Write("conf/main.conf", "include \"bad.conf\"");

        var error = Assert.Throws<HoconException>(() => HoconParser.ParseFile(main, "conf/main.conf"));

        Assert.Equal(Path.Combine("conf", "bad.conf"), error.File);
        Assert.Equal((2, 8), (error.Line, error.Column));
    }

    [Fact]
    public void Values_from_included_files_carry_that_file_as_origin()
    {
        _directory.Write("hocon/common.conf", "\nshared = 1");
        var main = _directory.Write("hocon/worker.conf", "include \"common.conf\"\nown = 2");

        var document = HoconParser.ParseFile(main, "hocon/worker.conf");

        Assert.Equal(new HoconOrigin(Path.Combine("hocon", "common.conf"), 2, 10), document.Find("shared")!.Origin);
        Assert.Equal(new HoconOrigin("hocon/worker.conf", 2, 7), document.Find("own")!.Origin);
    }

    [Fact]
    public void Text_includes_resolve_against_the_given_base_directory()
    {
        _directory.Write("extra.conf", "extra = 1");

        Assert.Equal("extra=1 | own=2", FlatTable.Parse("include \"extra.conf\"\nown = 2", _directory.Path));
    }
}
