namespace SessionCluster.Hocon;

/// <summary>
/// Recursive-descent parser for one HOCON document: objects, fields and includes here,
/// values in <c>DocumentParser.Values.cs</c>.
/// </summary>
internal sealed partial class DocumentParser
{
    private readonly SourceReader _reader;
    private readonly IncludeLoader _includes;
    private readonly string _fullDirectory;
    private readonly string _displayDirectory;
    private readonly HoconPath _documentPath;

    // documentPath: where this document sits in the final tree (non-root for includes inside objects); "+=" needs it.
    public DocumentParser(
        SourceReader reader,
        IncludeLoader includes,
        string fullDirectory,
        string displayDirectory,
        HoconPath documentPath)
    {
        _reader = reader;
        _includes = includes;
        _fullDirectory = fullDirectory;
        _displayDirectory = displayDirectory;
        _documentPath = documentPath;
    }

    public RawObject ParseDocument()
    {
        _reader.SkipBlank();
        if (_reader.Peek() != '{')
        {
            // A root object may omit its braces.
            var root = new RawObject(_reader.Origin);
            ParseFields(root, _documentPath, openedAt: null);
            return root;
        }

        var braced = ParseBracedObject(_documentPath);
        _reader.SkipBlank();
        if (!_reader.AtEnd)
        {
            throw _reader.Error($"unexpected {_reader.DescribeCurrent()} after the closing '}}' of the root object");
        }

        return braced;
    }

    private RawObject ParseBracedObject(HoconPath objectPath)
    {
        var opened = _reader.Origin;
        _reader.Advance();
        var obj = new RawObject(opened);
        ParseFields(obj, objectPath, opened);
        return obj;
    }

    /// <summary>Parses fields until the closing brace (when <paramref name="openedAt"/> is set) or the end of input.</summary>
    private void ParseFields(RawObject obj, HoconPath objectPath, HoconOrigin? openedAt)
    {
        while (true)
        {
            _reader.SkipBlank();
            if (_reader.AtEnd)
            {
                if (openedAt is not null)
                {
                    throw new HoconException(openedAt, "unterminated object: this '{' is never closed");
                }

                return;
            }

            switch (_reader.Peek())
            {
                case '}' when openedAt is not null:
                    _reader.Advance();
                    return;
                case '}':
                    throw _reader.Error("unexpected '}': no object is open here");
                case ',':
                    throw _reader.Error("unexpected ',': expected a field");
            }

            var fieldDescription = AtIncludeDirective() ? ParseInclude(obj, objectPath) : ParseField(obj, objectPath);

            _reader.SkipInlineWhitespaceAndComment();
            if (_reader.Peek() == ',')
            {
                _reader.Advance();
            }
            else if (!_reader.AtEnd && _reader.Peek() != '\n' && !(_reader.Peek() == '}' && openedAt is not null))
            {
                throw _reader.Error(
                    $"expected ',' or a new line after {fieldDescription}, found {_reader.DescribeCurrent()}");
            }
        }
    }

    /// <returns>A description of the field for follow-up error messages.</returns>
    private string ParseField(RawObject obj, HoconPath objectPath)
    {
        var keyOrigin = _reader.Origin;
        var key = PathExpressionReader.Read(_reader);
        if (key.Count == 0)
        {
            throw _reader.Error($"expected a key, found {_reader.DescribeCurrent()}");
        }

        var fieldPath = objectPath.Concat(key);
        var keyText = $"key \"{new HoconPath(key)}\"";
        _reader.SkipInlineWhitespace();
        RawNode value;
        if (_reader.Peek() == '{')
        {
            value = RequireValue(fieldPath, "key", keyText);
        }
        else if (_reader.Peek() is '=' or ':')
        {
            var separator = _reader.Advance();
            _reader.SkipBlank();
            value = RequireValue(fieldPath, $"'{separator}'", keyText);
        }
        else if (_reader.StartsWith("+="))
        {
            _reader.Advance(2);
            _reader.SkipBlank();
            var element = RequireValue(fieldPath, "'+='", keyText);

            // The spec defines "a += b" as "a = ${?a} [b]".
            value = new RawConcatenation(
            [
                new RawSubstitution(fieldPath, optional: true, keyOrigin),
                new RawArray(element.Origin, [element]),
            ]);
        }
        else
        {
            throw _reader.Error($"expected '=' or ':' or '{{' after {keyText}, found {_reader.DescribeCurrent()}");
        }

        obj.SetPath(key, value, keyOrigin);
        return $"the value of {keyText}";
    }

    private RawNode RequireValue(HoconPath fieldPath, string after, string keyText) =>
        ParseValue(fieldPath)
        ?? throw _reader.Error($"expected a value after {after} for {keyText}, found {_reader.DescribeCurrent()}");

    private bool AtIncludeDirective()
    {
        if (!_reader.StartsWith("include") || !SourceReader.IsInlineWhitespace(_reader.Peek("include".Length)))
        {
            return false;
        }

        // "include" followed by a key separator is an ordinary key.
        var offset = "include".Length;
        while (SourceReader.IsInlineWhitespace(_reader.Peek(offset)))
        {
            offset++;
        }

        var next = _reader.Peek(offset);
        return next is not ('=' or ':' or '{' or '+' or '.');
    }

    private string ParseInclude(RawObject obj, HoconPath objectPath)
    {
        var site = _reader.Origin;
        _reader.Advance("include".Length);
        _reader.SkipInlineWhitespace();
        var required = false;
        string name;
        if (_reader.TryConsume("required("))
        {
            required = true;
            _reader.SkipInlineWhitespace();
            name = ParseIncludeTarget();
            ExpectClosingParenthesis("required(");
        }
        else
        {
            name = ParseIncludeTarget();
        }

        var included = _includes.Include(name, required, site, _fullDirectory, _displayDirectory, objectPath);
        if (included is not null)
        {
            obj.MergeFrom(included);
        }

        return $"include \"{name}\"";
    }

    private string ParseIncludeTarget()
    {
        if (_reader.TryConsume("file("))
        {
            _reader.SkipInlineWhitespace();
            var name = ParseIncludeFileName();
            ExpectClosingParenthesis("file(");
            return name;
        }

        if (_reader.StartsWith("url(") || _reader.StartsWith("classpath("))
        {
            throw _reader.Error("only file includes are supported: use include \"name.conf\" or include file(\"name.conf\")");
        }

        return ParseIncludeFileName();
    }

    private string ParseIncludeFileName()
    {
        if (_reader.Peek() != '"' || QuotedStringReader.AtTripleQuote(_reader))
        {
            throw _reader.Error($"expected a quoted file name after include, found {_reader.DescribeCurrent()}");
        }

        var name = QuotedStringReader.ReadQuoted(_reader);
        return name.Length > 0 ? name : throw _reader.Error("include file name is empty");
    }

    private void ExpectClosingParenthesis(string opener)
    {
        _reader.SkipInlineWhitespace();
        if (_reader.Peek() != ')')
        {
            throw _reader.Error($"expected ')' to close {opener}, found {_reader.DescribeCurrent()}");
        }

        _reader.Advance();
    }
}
