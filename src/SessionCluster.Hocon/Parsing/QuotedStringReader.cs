using System.Globalization;
using System.Text;

namespace SessionCluster.Hocon;

/// <summary>Reads JSON-style quoted strings and HOCON triple-quoted strings.</summary>
internal static class QuotedStringReader
{
    private const string TripleQuote = "\"\"\"";

    public static bool AtTripleQuote(SourceReader reader) => reader.StartsWith(TripleQuote);

    /// <summary>Reads <c>"..."</c> with JSON escapes; the reader must be on the opening quote.</summary>
    public static string ReadQuoted(SourceReader reader)
    {
        var opened = reader.Origin;
        reader.Advance();
        var text = new StringBuilder();
        while (true)
        {
            if (reader.AtEnd || reader.Peek() == '\n')
            {
                throw new HoconException(
                    opened,
                    "unterminated string: missing closing '\"' before the end of the line (use \"\"\" for multi-line text)");
            }

            var c = reader.Peek();
            if (c == '"')
            {
                reader.Advance();
                return text.ToString();
            }

            if (c == '\\')
            {
                text.Append(ReadEscape(reader));
                continue;
            }

            text.Append(reader.Advance());
        }
    }

    /// <summary>Reads <c>"""..."""</c> verbatim (no escapes, newlines kept).</summary>
    public static string ReadTripleQuoted(SourceReader reader)
    {
        var opened = reader.Origin;
        reader.Advance(TripleQuote.Length);
        var text = new StringBuilder();
        while (!reader.AtEnd)
        {
            if (reader.StartsWith(TripleQuote))
            {
                // Per the spec, quotes just before the closing """ belong to the string: """a""""" is a"".
                reader.Advance(TripleQuote.Length);
                while (reader.Peek() == '"')
                {
                    text.Append('"');
                    reader.Advance();
                }

                return text.ToString();
            }

            text.Append(reader.Advance());
        }

        throw new HoconException(opened, "unterminated triple-quoted string: missing closing \"\"\"");
    }

    private static string ReadEscape(SourceReader reader)
    {
        var at = reader.Origin;
        reader.Advance();
        if (reader.AtEnd || reader.Peek() == '\n')
        {
            throw new HoconException(at, "unterminated escape sequence at the end of the line");
        }

        var code = reader.Advance();
        switch (code)
        {
            case '"': return "\"";
            case '\\': return "\\";
            case '/': return "/";
            case 'b': return "\b";
            case 'f': return "\f";
            case 'n': return "\n";
            case 'r': return "\r";
            case 't': return "\t";
            case 'u':
                var hex = new StringBuilder(4);
                while (hex.Length < 4 && Uri.IsHexDigit(reader.Peek()))
                {
                    hex.Append(reader.Advance());
                }

                if (hex.Length < 4)
                {
                    throw new HoconException(at, $"invalid escape sequence '\\u{hex}': expected four hex digits after \\u");
                }

                return ((char)int.Parse(hex.ToString(), NumberStyles.HexNumber, CultureInfo.InvariantCulture)).ToString();
            default:
                throw new HoconException(
                    at,
                    $"invalid escape sequence '\\{code}' in quoted string (valid: \\\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX)");
        }
    }
}
