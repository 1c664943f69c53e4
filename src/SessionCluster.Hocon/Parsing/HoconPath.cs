using System.Text;

namespace SessionCluster.Hocon;

/// <summary>A parsed HOCON path: the list of keys from the root to a value.</summary>
internal sealed class HoconPath
{
    public static readonly HoconPath Root = new([]);

    public HoconPath(IReadOnlyList<string> segments)
    {
        Segments = segments;
    }

    public IReadOnlyList<string> Segments { get; }

    public int Count => Segments.Count;

    public static HoconPath Parse(string text)
    {
        var reader = new SourceReader(text, "<path>");
        reader.SkipInlineWhitespace();
        var segments = PathExpressionReader.Read(reader);
        reader.SkipInlineWhitespace();
        if (segments.Count == 0 || !reader.AtEnd)
        {
            throw new ArgumentException($"'{text}' is not a valid HOCON path", nameof(text));
        }

        return new HoconPath(segments);
    }

    public HoconPath Append(string key) => new([.. Segments, key]);

    public HoconPath Concat(IReadOnlyList<string> keys) => new([.. Segments, .. keys]);

    public bool StartsWith(HoconPath prefix)
    {
        if (prefix.Count > Count)
        {
            return false;
        }

        for (var i = 0; i < prefix.Count; i++)
        {
            if (!string.Equals(Segments[i], prefix.Segments[i], StringComparison.Ordinal))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>The path with plain dots, as used for environment-variable fallback names.</summary>
    public string ToPlainString() => string.Join('.', Segments);

    /// <summary>The path as HOCON would write it, quoting segments that need it.</summary>
    public override string ToString() => string.Join('.', Segments.Select(RenderSegment));

    private static string RenderSegment(string segment)
    {
        // Inner spaces are fine unquoted ("a b = 1" is the key "a b"); leading or trailing ones are not.
        var plain = segment.Length > 0
            && segment.Trim().Length == segment.Length
            && segment.All(c => c == ' ' || (SourceReader.IsUnquotedChar(c) && c != '.' && c != '/'));
        if (plain)
        {
            return segment;
        }

        var quoted = new StringBuilder("\"");
        foreach (var c in segment)
        {
            quoted.Append(c switch
            {
                '"' => "\\\"",
                '\\' => "\\\\",
                '\n' => "\\n",
                '\t' => "\\t",
                _ => c.ToString(),
            });
        }

        return quoted.Append('"').ToString();
    }
}
