namespace SessionCluster.Hocon.Tests;

/// <summary>Invalid HOCON in, an error naming <c>file:line:column</c> and the problem out.</summary>
public sealed class InvalidInputTests
{
    [Theory]
    [InlineData("a = \"abc", 1, 5, "unterminated string")]
    [InlineData("a = \"x\ny\"", 1, 5, "unterminated string")]
    [InlineData("a = \"\"\"abc\n", 1, 5, "unterminated triple-quoted string")]
    [InlineData("a {\n  b = 1\n", 1, 3, "unterminated object")]
    [InlineData("x = 1\na = [1, 2", 2, 5, "unterminated array")]
    [InlineData("a = ${b", 1, 5, "unterminated substitution")]
    [InlineData("a = ${}", 1, 5, "empty substitution")]
    [InlineData("a = \"\\q\"", 1, 6, "invalid escape sequence '\\q'")]
    [InlineData("a = \"\\u12\"", 1, 6, "expected four hex digits")]
    [InlineData("a = 1\nport\n", 2, 5, "expected '=' or ':' or '{' after key \"port\", found end of line")]
    [InlineData("a = 1\n  port", 2, 7, "expected '=' or ':' or '{' after key \"port\", found end of input")]
    [InlineData("= 1", 1, 1, "expected a key, found '='")]
    [InlineData("a..b = 1", 1, 3, "empty path segment")]
    [InlineData("a. = 1", 1, 1, "ends with '.'")]
    [InlineData("a = ", 1, 5, "expected a value after '=' for key \"a\", found end of input")]
    [InlineData("a = ^", 1, 5, "unexpected character '^'")]
    [InlineData("a = 1\nb {\n  c = @\n}", 3, 7, "unexpected character '@'")]
    [InlineData("a = $x", 1, 5, "unexpected '$'")]
    [InlineData("a = b:c", 1, 6, "unexpected ':' in a value")]
    [InlineData("a = http://example.org", 1, 9, "unexpected ':' in a value")]
    [InlineData("a = 1 = 2", 1, 7, "unexpected '=' in a value")]
    [InlineData("a = 1 }", 1, 7, "expected ',' or a new line after the value of key \"a\", found '}'")]
    [InlineData("}", 1, 1, "unexpected '}'")]
    [InlineData("a = 1,, b = 2", 1, 7, "unexpected ','")]
    [InlineData("a = [1 }", 1, 8, "expected ',' or ']' after an array element, found '}'")]
    [InlineData("a = [,]", 1, 6, "unexpected ','")]
    [InlineData("{ a = 1 } b = 2", 1, 11, "after the closing '}' of the root object")]
    [InlineData("a = { x = 1 } foo", 1, 15, "cannot concatenate an object with a string")]
    [InlineData("a = foo [1]", 1, 9, "cannot concatenate a string with an array")]
    [InlineData("x = [1]\na = ${x} foo", 2, 10, "cannot concatenate an array with a string")]
    [InlineData("include url(\"http://example.org/a.conf\")", 1, 9, "only file includes are supported")]
    [InlineData("include 42", 1, 9, "expected a quoted file name after include")]
    [InlineData("include required(\"hocon-test-missing-file.conf\")", 1, 1, "required include \"hocon-test-missing-file.conf\" was not found")]
    [InlineData("include required(\"x.conf\"", 1, 26, "expected ')' to close required(")]
    // Found by the HOCON fuzzer (HoconFuzzTests, seed 11): a NUL in an include's name threw ArgumentException from the
    // path APIs instead of an error with its origin.
    [InlineData("a { include \"miss\u0000ing.conf\" }", 1, 5, "include names no file: \"miss\\u0000ing.conf\"")]
    public void Syntax_errors_name_line_column_and_problem(string hocon, int line, int column, string problem)
    {
        var error = Assert.Throws<HoconException>(() => HoconParser.Parse(hocon, "test.conf"));

        Assert.Equal("test.conf", error.File);
        Assert.Equal((line, column), (error.Line, error.Column));
        Assert.StartsWith($"test.conf:{line}:{column}: ", error.Message, StringComparison.Ordinal);
        Assert.Contains(problem, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("a = ${hocon_test_missing.path}", 1, 5, "could not resolve substitution ${hocon_test_missing.path}")]
    [InlineData("x = 1\nwhere {\n  used = \"at \"${hocon_test_missing}\n}", 3, 15, "\"hocon_test_missing\" is not defined")]
    [InlineData("a = ${b}\nb = ${a}", 2, 5, "substitution cycle: ${b} -> ${a} -> ${b}")]
    [InlineData("a = ${b}\nb = ${c}\nc = ${a}", 3, 5, "substitution cycle: ${b} -> ${c} -> ${a} -> ${b}")]
    [InlineData("a { x = ${a} }", 1, 9, "substitution cycle")]
    [InlineData("a = [${a}]", 1, 6, "substitution cycle")]
    [InlineData("x = ${y}\ny = { z = ${x} }", 2, 11, "substitution cycle: ${y} -> ${x} -> ${y}")]
    [InlineData("hocon_test_self = ${hocon_test_self}", 1, 19, "could not resolve substitution ${hocon_test_self}")]
    [InlineData("x = [1]\nx = ${x} {y = 1}", 2, 10, "cannot concatenate an array with an object")]
    public void Resolution_errors_name_where_the_substitution_was_used(string hocon, int line, int column, string problem)
    {
        var error = Assert.Throws<HoconException>(() => HoconParser.Parse(hocon, "test.conf"));

        Assert.Equal((line, column), (error.Line, error.Column));
        Assert.StartsWith($"test.conf:{line}:{column}: ", error.Message, StringComparison.Ordinal);
        Assert.Contains(problem, error.Message, StringComparison.Ordinal);
    }
}
