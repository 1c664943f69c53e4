namespace SessionCluster.Hocon;

/// <summary>A resolved HOCON object: fields in the order they were first defined.</summary>
public sealed class HoconObject : HoconValue
{
    private readonly OrderedDictionary<string, HoconValue> _fields;

    public HoconObject(IEnumerable<KeyValuePair<string, HoconValue>> fields, HoconOrigin origin)
        : base(origin)
    {
        ArgumentNullException.ThrowIfNull(fields);
        _fields = new OrderedDictionary<string, HoconValue>(StringComparer.Ordinal);
        foreach (var (key, value) in fields)
        {
            _fields[key] = value;
        }
    }

    public IReadOnlyDictionary<string, HoconValue> Fields => _fields;

    public int Count => _fields.Count;

    public IEnumerable<string> Keys => _fields.Keys;

    public bool TryGetValue(string key, [System.Diagnostics.CodeAnalysis.MaybeNullWhen(false)] out HoconValue value) =>
        _fields.TryGetValue(key, out value);

    /// <summary>Follows a HOCON path such as <c>a.b."c.d"</c>; returns null when any step is missing.</summary>
    public HoconValue? Find(string path)
    {
        HoconValue current = this;
        foreach (var segment in HoconPath.Parse(path).Segments)
        {
            if (current is not HoconObject obj || !obj.TryGetValue(segment, out var next))
            {
                return null;
            }

            current = next;
        }

        return current;
    }

    /// <summary>
    /// Layers this object over <paramref name="fallback"/> as HOCON merges objects: fields of both are kept,
    /// nested objects merge recursively, and any other value here (an array too) replaces the fallback's.
    /// </summary>
    public HoconObject WithFallback(HoconObject fallback)
    {
        ArgumentNullException.ThrowIfNull(fallback);
        var merged = new OrderedDictionary<string, HoconValue>(StringComparer.Ordinal);
        foreach (var (key, value) in fallback._fields)
        {
            merged[key] = value;
        }

        foreach (var (key, value) in _fields)
        {
            merged[key] = value is HoconObject mine && merged.TryGetValue(key, out var theirs) && theirs is HoconObject under
                ? mine.WithFallback(under)
                : value;
        }

        return new HoconObject(merged, Origin);
    }
}
