using System.Text;
using System.Text.RegularExpressions;

namespace SessionCluster.Hocon;

/// <summary>Value parsing: concatenations, arrays, strings and substitutions.</summary>
internal sealed partial class DocumentParser
{
    /// <summary>Reads a value up to the end of the line, ',', '}' or ']'; null when there is none.</summary>
    private RawNode? ParseValue(HoconPath fieldPath)
    {
        var pieces = new List<RawNode>();
        while (!_reader.AtEnd)
        {
            var c = _reader.Peek();
            if (SourceReader.IsInlineWhitespace(c))
            {
                pieces.Add(ParseWhitespace());
                continue;
            }

            if (c is '\n' or ',' or '}' or ']' || _reader.AtCommentStart)
            {
                break;
            }

            pieces.Add(c switch
            {
                '{' => ParseBracedObject(fieldPath),
                '[' => ParseArray(fieldPath),
                '"' => ParseQuotedValue(),
                '$' when _reader.Peek(1) == '{' => ParseSubstitution(),
                _ when SourceReader.IsUnquotedChar(c) => ParseUnquotedValue(),
                _ => throw UnexpectedInValue(c),
            });
        }

        return BuildConcatenation(pieces);
    }

    private HoconException UnexpectedInValue(char c) => c switch
    {
        '$' => _reader.Error("unexpected '$': substitutions are written ${path}; quote strings that contain '$'"),
        '=' or ':' or '+' => _reader.Error($"unexpected '{c}' in a value; quote strings that contain '{c}'"),
        _ => _reader.Error($"unexpected character {_reader.DescribeCurrent()}; quote strings that contain it"),
    };

    private RawScalar ParseWhitespace()
    {
        var origin = _reader.Origin;
        var text = new StringBuilder();
        while (SourceReader.IsInlineWhitespace(_reader.Peek()))
        {
            text.Append(_reader.Advance());
        }

        return new RawScalar(new HoconScalar(text.ToString(), HoconScalarKind.String, origin), isWhitespace: true);
    }

    private RawScalar ParseQuotedValue()
    {
        var origin = _reader.Origin;
        var text = QuotedStringReader.AtTripleQuote(_reader)
            ? QuotedStringReader.ReadTripleQuoted(_reader)
            : QuotedStringReader.ReadQuoted(_reader);
        return new RawScalar(new HoconScalar(text, HoconScalarKind.String, origin));
    }

    private RawScalar ParseUnquotedValue()
    {
        var origin = _reader.Origin;
        var text = new StringBuilder();
        while (!_reader.AtEnd && !_reader.AtCommentStart)
        {
            var c = _reader.Peek();
            if (SourceReader.IsUnquotedChar(c) || IsExponentSign(text, c))
            {
                text.Append(_reader.Advance());
                continue;
            }

            break;
        }

        var value = text.ToString();
        var kind = value switch
        {
            "true" or "false" => HoconScalarKind.Boolean,
            "null" => HoconScalarKind.Null,
            _ when NumberPattern().IsMatch(value) => HoconScalarKind.Number,
            _ => HoconScalarKind.String,
        };
        return new RawScalar(new HoconScalar(value, kind, origin));
    }

    // '+' is reserved, but a number such as 1e+5 needs it after the exponent marker.
    private bool IsExponentSign(StringBuilder text, char c) =>
        c == '+'
        && text.Length > 1
        && text[^1] is 'e' or 'E'
        && (char.IsAsciiDigit(text[0]) || text[0] == '-')
        && char.IsAsciiDigit(_reader.Peek(1));

    private RawSubstitution ParseSubstitution()
    {
        var origin = _reader.Origin;
        _reader.Advance(2);
        var optional = _reader.TryConsume("?");
        _reader.SkipInlineWhitespace();
        var path = PathExpressionReader.Read(_reader);
        _reader.SkipInlineWhitespace();
        if (_reader.AtEnd || _reader.Peek() == '\n')
        {
            throw new HoconException(origin, "unterminated substitution: missing '}' after ${");
        }

        if (_reader.Peek() != '}')
        {
            throw _reader.Error($"unexpected {_reader.DescribeCurrent()} in substitution; expected a path and '}}'");
        }

        if (path.Count == 0)
        {
            throw new HoconException(origin, "empty substitution: expected a path inside ${}");
        }

        _reader.Advance();
        return new RawSubstitution(new HoconPath(path), optional, origin);
    }

    private RawArray ParseArray(HoconPath fieldPath)
    {
        var opened = _reader.Origin;
        _reader.Advance();
        var array = new RawArray(opened);
        while (true)
        {
            _reader.SkipBlank();
            if (_reader.AtEnd)
            {
                throw new HoconException(opened, "unterminated array: this '[' is never closed");
            }

            if (_reader.Peek() == ']')
            {
                _reader.Advance();
                return array;
            }

            if (_reader.Peek() == ',')
            {
                throw _reader.Error("unexpected ',': expected an array element");
            }

            array.Items.Add(
                ParseValue(fieldPath)
                ?? throw _reader.Error($"expected an array element or ']', found {_reader.DescribeCurrent()}"));

            _reader.SkipInlineWhitespaceAndComment();
            if (_reader.Peek() == ',')
            {
                _reader.Advance();
            }
            else if (!_reader.AtEnd && _reader.Peek() is not ('\n' or ']'))
            {
                throw _reader.Error($"expected ',' or ']' after an array element, found {_reader.DescribeCurrent()}");
            }
        }
    }

    /// <summary>
    /// Turns adjacent pieces into one node. Without substitutions the result is known now
    /// (merged object, joined array or string); otherwise it waits for resolution.
    /// </summary>
    private static RawNode? BuildConcatenation(List<RawNode> pieces)
    {
        var first = pieces.FindIndex(piece => !IsWhitespace(piece));
        if (first < 0)
        {
            return null;
        }

        var last = pieces.FindLastIndex(piece => !IsWhitespace(piece));
        var trimmed = pieces.GetRange(first, last - first + 1);
        if (trimmed.Count == 1)
        {
            return trimmed[0];
        }

        if (trimmed.Any(piece => piece is RawSubstitution))
        {
            return new RawConcatenation(trimmed);
        }

        var solid = trimmed.Where(piece => !IsWhitespace(piece)).ToList();
        var misfit = solid.Find(piece => ConcatenationKind(piece) != ConcatenationKind(solid[0]));
        if (misfit is not null)
        {
            throw new HoconException(
                misfit.Origin,
                $"cannot concatenate {ConcatenationKind(solid[0])} with {ConcatenationKind(misfit)} "
                + "(separate values with a new line or ',', or quote the text)");
        }

        switch (solid[0])
        {
            case RawObject:
                var merged = new RawObject(solid[0].Origin);
                foreach (var piece in solid)
                {
                    merged.MergeFrom((RawObject)piece);
                }

                return merged;
            case RawArray:
                return new RawArray(solid[0].Origin, solid.SelectMany(piece => ((RawArray)piece).Items));
            default:
                var text = string.Concat(trimmed.Select(piece => ((RawScalar)piece).Value.Text));
                return new RawScalar(new HoconScalar(text, HoconScalarKind.String, trimmed[0].Origin));
        }
    }

    private static bool IsWhitespace(RawNode piece) => piece is RawScalar { IsWhitespace: true };

    private static string ConcatenationKind(RawNode piece) => piece switch
    {
        RawObject => "an object",
        RawArray => "an array",
        _ => "a string",
    };

    [GeneratedRegex(@"^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?$", RegexOptions.CultureInvariant)]
    private static partial Regex NumberPattern();
}
