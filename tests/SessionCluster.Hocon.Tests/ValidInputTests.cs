namespace SessionCluster.Hocon.Tests;

/// <summary>Valid HOCON in, flattened configuration keys out.</summary>
public sealed class ValidInputTests
{
    [Theory]
    // Separators and root forms.
    [InlineData("a = 1", "a=1")]
    [InlineData("a : 1", "a=1")]
    [InlineData("a=1,b=2,c=3", "a=1 | b=2 | c=3")]
    [InlineData("{ a = 1 }", "a=1")]
    [InlineData("{ a = 1, }", "a=1")]
    [InlineData("\n\n  { a = 1 }  \n# done\n", "a=1")]
    [InlineData("a = 1\nb = 2", "a=1 | b=2")]
    [InlineData("a = 1\r\nb = 2\r\n", "a=1 | b=2")]
    [InlineData("", "")]
    [InlineData("# only a comment", "")]
    [InlineData("\uFEFFa = 1", "a=1")]
    // Objects without separators, nested paths, quoted keys.
    [InlineData("a { b = 1 }", "a:b=1")]
    [InlineData("a {\n  b {\n    c = 1\n  }\n}", "a:b:c=1")]
    [InlineData("a.b.c = 1", "a:b:c=1")]
    [InlineData("\"a.b\".c = 1", "a.b:c=1")]
    [InlineData("a.\"b.c\" = x", "a:b.c=x")]
    [InlineData("\"quoted key\" = 1", "quoted key=1")]
    [InlineData("a b = 1", "a b=1")]
    [InlineData("include = 1", "include=1")]
    [InlineData("session-cluster.remote.port = 2552", "session-cluster:remote:port=2552")]
    // JSON is valid HOCON.
    [InlineData("{\"a\": {\"b\": [1, true, \"x\"]}}", "a:b:0=1 | a:b:1=true | a:b:2=x")]
    // Arrays.
    [InlineData("a = [1, 2, 3]", "a:0=1 | a:1=2 | a:2=3")]
    [InlineData("a = [\n  1\n  2\n]", "a:0=1 | a:1=2")]
    [InlineData("a = [1, 2,]", "a:0=1 | a:1=2")]
    [InlineData("a = [\n  1, # one\n  2 // two\n]", "a:0=1 | a:1=2")]
    [InlineData("a = []", "a=(null)")]
    [InlineData("a = [[1, 2], [3]]", "a:0:0=1 | a:0:1=2 | a:1:0=3")]
    [InlineData("a = [{ x = 1 }, { x = 2 }]", "a:0:x=1 | a:1:x=2")]
    [InlineData("a = [1] [2]", "a:0=1 | a:1=2")]
    // Scalars.
    [InlineData("a = true\nb = false\nc = null", "a=true | b=false | c=(null)")]
    [InlineData("a = 1.50\nb = -3e+5\nc = 007", "a=1.50 | b=-3e+5 | c=007")]
    [InlineData("a = \"\"", "a=")]
    [InlineData("a = \"tab\\there\"", "a=tab\there")]
    [InlineData("a = \"\\u0041\\\"\\\\\\/\"", "a=A\"\\/")]
    [InlineData("a = \"${not.a.substitution}\"", "a=${not.a.substitution}")]
    [InlineData("a = \"# not a comment\"", "a=# not a comment")]
    [InlineData("a = foo-bar.baz_1", "a=foo-bar.baz_1")]
    [InlineData("a = /var/log", "a=/var/log")]
    // Triple-quoted strings keep newlines and backslashes.
    [InlineData("a = \"\"\"line1\nline2\"\"\"", "a=line1\nline2")]
    [InlineData("a = \"\"\"say \"hi\" \\n\"\"\"", "a=say \"hi\" \\n")]
    [InlineData("a = \"\"\"x\"\"\"\"\"", "a=x\"\"")]
    // Comments.
    [InlineData("// comment\na = 1 // trailing\n# hash\nb = 2 # trailing", "a=1 | b=2")]
    [InlineData("a { # open\n  b = 1 # inner\n} # close", "a:b=1")]
    // Concatenation.
    [InlineData("a = foo bar", "a=foo bar")]
    [InlineData("a = foo   bar   # spaces inside are kept, trailing ones are not", "a=foo   bar")]
    [InlineData("a = \"x\" y", "a=x y")]
    [InlineData("a = 10 s", "a=10 s")]
    [InlineData("a = true false", "a=true false")]
    [InlineData("a = { b = 1 } { c = 2 }", "a:b=1 | a:c=2")]
    // Merging: later objects merge, later non-objects replace.
    [InlineData("a { x = 1 }\na { y = 2 }", "a:x=1 | a:y=2")]
    [InlineData("a { x = 1, y = 1 }\na.x = 3", "a:x=3 | a:y=1")]
    [InlineData("a { x { p = 1 } }\na { x { q = 2 } }", "a:x:p=1 | a:x:q=2")]
    [InlineData("a { x = 1 }\na = 5", "a=5")]
    [InlineData("a = 5\na { x = 1 }", "a:x=1")]
    [InlineData("a { x = 1 }\na = null\na { y = 2 }", "a:y=2")]
    [InlineData("a = [1]\na = [2]", "a:0=2")]
    [InlineData("a = 1\nb = 2\na = 3", "a=3 | b=2")]
    [InlineData("a {}", "a=(null)")]
    // Array append.
    [InlineData("a += 1\na += 2", "a:0=1 | a:1=2")]
    [InlineData("a = [0]\na += 1", "a:0=0 | a:1=1")]
    [InlineData("x { a = [0] }\nx { a += 1 }", "x:a:0=0 | x:a:1=1")]
    public void Valid_input_flattens_to_expected_keys(string hocon, string expected)
    {
        Assert.Equal(expected, FlatTable.Parse(hocon));
    }

    [Theory]
    [InlineData("a = 1\nb = ${a}", "a=1 | b=1")]
    [InlineData("b = ${a}\na = 1", "b=1 | a=1")]
    [InlineData("a = 1\nb = ${a}\na = 2", "a=2 | b=2")]
    [InlineData("a { b { c = 5 } }\nd = ${a.b.c}", "a:b:c=5 | d=5")]
    [InlineData("\"a.b\" { c = 5 }\nd = ${\"a.b\".c}", "a.b:c=5 | d=5")]
    [InlineData("a = ${b}\nb = ${c}\nc = 3", "a=3 | b=3 | c=3")]
    [InlineData("host = example.org\nurl = ${host}/api", "host=example.org | url=example.org/api")]
    [InlineData("n = 1\nm = ${n} ${n}", "n=1 | m=1 1")]
    [InlineData("n = 1\nm = \"port=\"${n}", "n=1 | m=port=1")]
    [InlineData("a { x = 1, y = ${a.x} }", "a:x=1 | a:y=1")]
    [InlineData("list = [1, 2]\ncopy = ${list}", "list:0=1 | list:1=2 | copy:0=1 | copy:1=2")]
    [InlineData("items = [${v}, 2]\nv = 1", "items:0=1 | items:1=2 | v=1")]
    [InlineData("base { x = 1, y = 2 }\nd = ${base} { y = 3 }", "base:x=1 | base:y=2 | d:x=1 | d:y=3")]
    [InlineData("base { x = 1 }\nd = ${base}\nd { y = 2 }", "base:x=1 | d:x=1 | d:y=2")]
    [InlineData("d { y = 2 }\nd = ${base}\nbase { x = 1 }", "d:y=2 | d:x=1 | base:x=1")]
    [InlineData("a = [1]\nb = ${a} [2]", "a:0=1 | b:0=1 | b:1=2")]
    // Self-references see the earlier definition of the field.
    [InlineData("a = x\na = ${a}y", "a=xy")]
    [InlineData("p = [1]\np = ${p} [2]", "p:0=1 | p:1=2")]
    [InlineData("o { x = 1 }\no = ${o} { y = 2 }", "o:x=1 | o:y=2")]
    [InlineData("a { b = 1 }\na { b = ${a.b}0 }", "a:b=10")]
    [InlineData("a = 1\na = ${a}\na = ${a}", "a=1")]
    [InlineData("a.b = 1\na.b = ${a.b} 2", "a:b=1 2")]
    [InlineData("a = {}\na = ${a} { b = 1 }\na = ${a} { c = 2 }", "a:b=1 | a:c=2")]
    [InlineData("a = [1]\na += ${a}", "a:0=1 | a:1:0=1")]
    [InlineData("a { x = 1 }\nb = ${a}\nb.y = ${b.x}", "a:x=1 | b:x=1 | b:y=1")]
    // Examples from the HOCON spec: a self-reference inside a path sees the value below; others see the final value.
    [InlineData("foo : { a : { c : 1 } }\nfoo : ${foo.a}\nfoo : { a : 2 }", "foo:a=2 | foo:c=1")]
    [InlineData("bar : { foo : 42, baz : ${bar.foo} }\nbar : { foo : 43 }", "bar:foo=43 | bar:baz=43")]
    public void Substitutions_resolve_against_the_merged_root(string hocon, string expected)
    {
        Assert.Equal(expected, FlatTable.Parse(hocon));
    }
}
