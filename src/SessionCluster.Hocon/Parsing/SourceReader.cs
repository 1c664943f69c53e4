namespace SessionCluster.Hocon;

/// <summary>A cursor over HOCON source text that tracks line and column for origins and errors.</summary>
internal sealed class SourceReader
{
    // Characters the HOCON spec reserves: they may not appear in unquoted text.
    private const string ReservedCharacters = "$\"{}[]:=,+#`^?!@*&\\";

    private readonly string _text;
    private int _position;
    private int _line = 1;
    private int _column = 1;

    public SourceReader(string text, string originName)
    {
        ArgumentNullException.ThrowIfNull(text);
        // Normalizing CRLF up front keeps every other rule in terms of '\n' only.
        _text = text.Replace("\r\n", "\n", StringComparison.Ordinal);
        OriginName = originName;
        if (_text.Length > 0 && _text[0] == '\uFEFF')
        {
            _position = 1;
        }
    }

    public string OriginName { get; }

    public bool AtEnd => _position >= _text.Length;

    public HoconOrigin Origin => new(OriginName, _line, _column);

    public bool AtCommentStart => Peek() == '#' || (Peek() == '/' && Peek(1) == '/');

    public static bool IsInlineWhitespace(char c) => c != '\n' && (char.IsWhiteSpace(c) || c == '\uFEFF');

    public static bool IsUnquotedChar(char c) =>
        c != '\0' && !char.IsWhiteSpace(c) && c != '\uFEFF' && !ReservedCharacters.Contains(c, StringComparison.Ordinal);

    public char Peek(int offset = 0)
    {
        var index = _position + offset;
        return index < _text.Length ? _text[index] : '\0';
    }

    public bool StartsWith(string value) =>
        _position + value.Length <= _text.Length
        && string.CompareOrdinal(_text, _position, value, 0, value.Length) == 0;

    public char Advance()
    {
        var c = _text[_position++];
        if (c == '\n')
        {
            _line++;
            _column = 1;
        }
        else
        {
            _column++;
        }

        return c;
    }

    public void Advance(int count)
    {
        for (var i = 0; i < count; i++)
        {
            Advance();
        }
    }

    public bool TryConsume(string value)
    {
        if (!StartsWith(value))
        {
            return false;
        }

        Advance(value.Length);
        return true;
    }

    public void SkipInlineWhitespace()
    {
        while (!AtEnd && IsInlineWhitespace(Peek()))
        {
            Advance();
        }
    }

    /// <summary>Skips spaces and a trailing comment, stopping before the newline that ends the line.</summary>
    public void SkipInlineWhitespaceAndComment()
    {
        SkipInlineWhitespace();
        if (AtCommentStart)
        {
            while (!AtEnd && Peek() != '\n')
            {
                Advance();
            }
        }
    }

    /// <summary>Skips whitespace, newlines and comments.</summary>
    public void SkipBlank()
    {
        while (true)
        {
            SkipInlineWhitespaceAndComment();
            if (AtEnd || Peek() != '\n')
            {
                return;
            }

            Advance();
        }
    }

    public HoconException Error(string problem) => new(Origin, problem);

    /// <summary>Names the current character for error messages.</summary>
    public string DescribeCurrent()
    {
        if (AtEnd)
        {
            return "end of input";
        }

        return Peek() switch
        {
            '\n' => "end of line",
            var c when char.IsControl(c) => $"control character U+{(int)c:X4}",
            var c => $"'{c}'",
        };
    }
}
