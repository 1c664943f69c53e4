namespace SessionCluster.Hocon;

/// <summary>
/// An object as parsed. Each field keeps a stack of definitions (oldest first) because a later
/// definition may refer to an earlier one (<c>a = ${a} x</c>) or merge with it after resolution.
/// </summary>
internal sealed class RawObject : RawNode
{
    private readonly OrderedDictionary<string, List<RawNode>> _fields = new(StringComparer.Ordinal);

    public RawObject(HoconOrigin origin)
        : base(origin)
    {
    }

    public IEnumerable<string> Keys => _fields.Keys;

    public bool TryGetDefinitions(string key, out IReadOnlyList<RawNode> definitions)
    {
        if (_fields.TryGetValue(key, out var list))
        {
            definitions = list;
            return true;
        }

        definitions = [];
        return false;
    }

    /// <summary>Defines <c>a.b.c = value</c> as if written <c>a { b { c = value } }</c>.</summary>
    public void SetPath(IReadOnlyList<string> path, RawNode value, HoconOrigin keyOrigin)
    {
        var node = value;
        for (var i = path.Count - 1; i >= 1; i--)
        {
            var wrapper = new RawObject(keyOrigin);
            wrapper.Set(path[i], node);
            node = wrapper;
        }

        Set(path[0], node);
    }

    public void Set(string key, RawNode value)
    {
        if (!_fields.TryGetValue(key, out var definitions))
        {
            _fields[key] = [value];
            return;
        }

        switch (value)
        {
            case RawObject incoming when definitions[^1] is RawObject existing:
                // Two literal objects merge right away; only substitutions need to wait for resolution.
                existing.MergeFrom(incoming);
                break;
            case RawScalar or RawArray:
                // A literal non-object hides everything before it and cannot refer back to it.
                definitions.Clear();
                definitions.Add(value);
                break;
            default:
                definitions.Add(value);
                break;
        }
    }

    /// <summary>Applies every field of <paramref name="other"/> on top of this object, in order.</summary>
    public void MergeFrom(RawObject other)
    {
        foreach (var (key, definitions) in other._fields)
        {
            foreach (var definition in definitions)
            {
                Set(key, definition);
            }
        }
    }
}
