namespace SessionCluster.Hocon;

/// <summary>Joining the resolved pieces of a value concatenation.</summary>
internal sealed partial class SubstitutionResolver
{
    private HoconValue? ResolveConcatenation(RawConcatenation concatenation, SelfReference? self)
    {
        var pieces = new List<(HoconValue Value, RawNode Piece, bool IsWhitespace)>();
        foreach (var piece in concatenation.Pieces)
        {
            var isWhitespace = piece is RawScalar { IsWhitespace: true };

            // Objects inside a concatenation are not fields, so they get no path of their own.
            var value = isWhitespace ? ((RawScalar)piece).Value : ResolveNode(piece, self, path: null);
            if (value is not null)
            {
                pieces.Add((value, piece, isWhitespace));
            }
        }

        // An undefined ${?x} drops out; whitespace left at either end goes with it.
        while (pieces.Count > 0 && pieces[0].IsWhitespace)
        {
            pieces.RemoveAt(0);
        }

        while (pieces.Count > 0 && pieces[^1].IsWhitespace)
        {
            pieces.RemoveAt(pieces.Count - 1);
        }

        if (pieces.Count == 0)
        {
            return null;
        }

        if (pieces.Count == 1)
        {
            return pieces[0].Value;
        }

        var solid = pieces.Where(piece => !piece.IsWhitespace).ToList();
        var firstKind = KindOf(solid[0].Value);
        var misfit = solid.FirstOrDefault(piece => KindOf(piece.Value) != firstKind);
        if (misfit.Value is not null)
        {
            throw new HoconException(
                misfit.Piece.Origin,
                $"cannot concatenate {firstKind} with {KindOf(misfit.Value)}");
        }

        return solid[0].Value switch
        {
            HoconObject => solid.Select(piece => (HoconObject)piece.Value).Aggregate(MergeObjects),
            HoconArray => new HoconArray(
                solid.SelectMany(piece => ((HoconArray)piece.Value).Items).ToList(),
                concatenation.Origin),
            _ => new HoconScalar(
                string.Concat(pieces.Select(piece => ((HoconScalar)piece.Value).Text)),
                HoconScalarKind.String,
                concatenation.Origin),
        };
    }

    /// <summary>Merges two resolved objects; <paramref name="upper"/> wins, nested objects merge.</summary>
    private static HoconObject MergeObjects(HoconObject lower, HoconObject upper)
    {
        var fields = new OrderedDictionary<string, HoconValue>(StringComparer.Ordinal);
        foreach (var (key, value) in lower.Fields)
        {
            fields[key] = value;
        }

        foreach (var (key, value) in upper.Fields)
        {
            fields[key] = fields.TryGetValue(key, out var existing) && existing is HoconObject below && value is HoconObject above
                ? MergeObjects(below, above)
                : value;
        }

        return new HoconObject(fields, lower.Origin);
    }

    private static string KindOf(HoconValue value) => value switch
    {
        HoconObject => "an object",
        HoconArray => "an array",
        _ => "a string",
    };
}
