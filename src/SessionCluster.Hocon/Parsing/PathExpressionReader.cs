using System.Text;

namespace SessionCluster.Hocon;

/// <summary>Reads a path expression such as <c>a.b."c.d"</c>, used for field keys and inside <c>${...}</c>.</summary>
internal static class PathExpressionReader
{
    /// <summary>Returns the path segments, or an empty list when the reader is not on a key.</summary>
    public static List<string> Read(SourceReader reader)
    {
        var segments = new List<string>();
        var current = new StringBuilder();
        var currentStarted = false;
        var start = reader.Origin;
        while (!reader.AtEnd)
        {
            var c = reader.Peek();
            if (c == '"')
            {
                if (QuotedStringReader.AtTripleQuote(reader))
                {
                    throw reader.Error("triple-quoted strings cannot be used in a path; use a \"quoted\" segment");
                }

                current.Append(QuotedStringReader.ReadQuoted(reader));
                currentStarted = true;
            }
            else if (c == '.')
            {
                if (!currentStarted)
                {
                    throw reader.Error($"empty path segment before '.' in {Describe(segments, current)}; quote keys that contain '.'");
                }

                segments.Add(current.ToString());
                current.Clear();
                currentStarted = false;
                reader.Advance();
            }
            else if (SourceReader.IsUnquotedChar(c) && !reader.AtCommentStart)
            {
                current.Append(reader.Advance());
                currentStarted = true;
            }
            else if (SourceReader.IsInlineWhitespace(c) && currentStarted && ContinuesAfterWhitespace(reader))
            {
                // "a b = 1" is the key "a b": whitespace between key pieces is kept.
                while (SourceReader.IsInlineWhitespace(reader.Peek()))
                {
                    current.Append(reader.Advance());
                }
            }
            else
            {
                break;
            }
        }

        if (currentStarted)
        {
            segments.Add(current.ToString());
        }
        else if (segments.Count > 0)
        {
            throw new HoconException(start, $"path {Describe(segments, current)} ends with '.'");
        }

        return segments;
    }

    private static bool ContinuesAfterWhitespace(SourceReader reader)
    {
        var offset = 0;
        while (SourceReader.IsInlineWhitespace(reader.Peek(offset)))
        {
            offset++;
        }

        var next = reader.Peek(offset);
        var startsComment = next == '#' || (next == '/' && reader.Peek(offset + 1) == '/');
        return next == '"' || (SourceReader.IsUnquotedChar(next) && !startsComment);
    }

    private static string Describe(List<string> segments, StringBuilder current) =>
        $"\"{string.Join('.', segments.Append(current.ToString()))}\"";
}
