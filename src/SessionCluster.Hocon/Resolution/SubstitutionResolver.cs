namespace SessionCluster.Hocon;

/// <summary>
/// Turns the parsed tree into resolved values: substitutions are looked up against the whole merged
/// root (later definitions win), self-references see the definition below, and cycles are reported.
/// </summary>
/// <remarks>
/// A field is a stack of definitions, oldest first. Resolving a stack walks it from the top: a
/// non-object on top wins outright; objects merge with the objects below until a non-object is met.
/// </remarks>
internal sealed partial class SubstitutionResolver
{
    private readonly RawObject _root;
    private readonly Func<string, string?> _environment;

    // Each non-object definition is resolved once; its context (path and definitions below) never changes.
    private readonly Dictionary<RawNode, HoconValue?> _resolved = new(ReferenceEqualityComparer.Instance);

    // Definitions being resolved right now, with how many substitutions were active when they started.
    private readonly Dictionary<RawNode, int> _inProgress = new(ReferenceEqualityComparer.Instance);
    private readonly List<RawSubstitution> _activeSubstitutions = [];

    public SubstitutionResolver(RawObject root, Func<string, string?> environment)
    {
        _root = root;
        _environment = environment;
    }

    public HoconObject Resolve() =>
        (HoconObject)(ResolveStack([new Layer(_root)], HoconPath.Root) ?? throw new InvalidOperationException("root resolved to nothing"));

    /// <summary>Resolves a field's definitions; null means undefined (e.g. only an absent <c>${?x}</c>).</summary>
    private HoconValue? ResolveStack(IReadOnlyList<Layer> layers, HoconPath? path)
    {
        var parts = CollectObjectParts(layers, path, out var nonObjectTop);
        if (nonObjectTop is not null)
        {
            return nonObjectTop;
        }

        return parts.Count switch
        {
            0 => null,
            1 when parts[0].Resolved is HoconObject resolved => resolved,
            _ => BuildObject(parts, path),
        };
    }

    /// <summary>
    /// Walks definitions from the newest down, returning (oldest first) the objects that merge into
    /// the field's value; or, when the newest defined value is not an object, that value instead.
    /// </summary>
    private List<Layer> CollectObjectParts(IReadOnlyList<Layer> layers, HoconPath? path, out HoconValue? nonObjectTop)
    {
        var parts = new List<Layer>();
        nonObjectTop = null;
        for (var i = layers.Count - 1; i >= 0; i--)
        {
            var layer = layers[i];
            if (layer.Raw is RawObject)
            {
                parts.Add(layer);
                continue;
            }

            var value = layer.Resolved ?? ResolveDefinition(layers, i, path);
            if (value is null)
            {
                continue;
            }

            if (value is HoconObject)
            {
                parts.Add(new Layer(value));
                continue;
            }

            if (parts.Count == 0)
            {
                nonObjectTop = value;
            }

            break;
        }

        parts.Reverse();
        return parts;
    }

    private HoconObject BuildObject(List<Layer> parts, HoconPath? path)
    {
        var keys = new List<string>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var part in parts)
        {
            var partKeys = part.Raw is RawObject raw ? raw.Keys : ((HoconObject)part.Resolved!).Keys;
            keys.AddRange(partKeys.Where(seen.Add));
        }

        var fields = new List<KeyValuePair<string, HoconValue>>();
        foreach (var key in keys)
        {
            var value = ResolveStack(ChildLayers(parts, key), path?.Append(key));
            if (value is not null)
            {
                fields.Add(new(key, value));
            }
        }

        return new HoconObject(fields, parts[0].Origin);
    }

    /// <summary>The definitions of <paramref name="key"/> across object parts, oldest first.</summary>
    private static List<Layer> ChildLayers(List<Layer> parts, string key)
    {
        var children = new List<Layer>();
        foreach (var part in parts)
        {
            if (part.Raw is RawObject raw)
            {
                if (raw.TryGetDefinitions(key, out var definitions))
                {
                    children.AddRange(definitions.Select(definition => new Layer(definition)));
                }
            }
            else if (((HoconObject)part.Resolved!).TryGetValue(key, out var value))
            {
                children.Add(new Layer(value));
            }
        }

        return children;
    }

    /// <summary>Resolves the non-object definition at <paramref name="index"/>, once, guarding against cycles.</summary>
    private HoconValue? ResolveDefinition(IReadOnlyList<Layer> layers, int index, HoconPath? path)
    {
        var node = layers[index].Raw!;
        if (_resolved.TryGetValue(node, out var done))
        {
            return done;
        }

        if (_inProgress.TryGetValue(node, out var depth))
        {
            throw CycleError(depth);
        }

        _inProgress[node] = _activeSubstitutions.Count;
        try
        {
            // Only a field whose value is a substitution or concatenation may refer to its earlier self.
            var self = node is RawSubstitution or RawConcatenation && path is not null
                ? new SelfReference(path, layers.Take(index).ToList())
                : null;
            var value = ResolveNode(node, self, path);
            _resolved[node] = value;
            return value;
        }
        finally
        {
            _inProgress.Remove(node);
        }
    }

    private HoconValue? ResolveNode(RawNode node, SelfReference? self, HoconPath? path) => node switch
    {
        RawScalar scalar => scalar.Value,
        RawObject obj => ResolveStack([new Layer(obj)], path),
        // An array inside a concatenation (a += ${a}) shares the concatenation's self-reference; elements have no path.
        RawArray array => new HoconArray(
            array.Items.Select(item => ResolveNode(item, self, path: null)).OfType<HoconValue>().ToList(),
            array.Origin),
        RawSubstitution substitution => Lookup(substitution, self),
        RawConcatenation concatenation => ResolveConcatenation(concatenation, self),
        _ => throw new InvalidOperationException($"unknown node {node.GetType().Name}"),
    };

    private HoconValue? Lookup(RawSubstitution substitution, SelfReference? self)
    {
        _activeSubstitutions.Add(substitution);
        try
        {
            var value = self is not null && substitution.Path.StartsWith(self.Path)
                ? ResolvePath(self.Below, self.Path, substitution.Path.Segments.Skip(self.Path.Count))
                : ResolvePath([new Layer(_root)], HoconPath.Root, substitution.Path.Segments);
            if (value is not null)
            {
                return value;
            }

            var variableName = substitution.Path.ToPlainString();
            var variable = _environment(variableName);
            if (variable is not null)
            {
                return new HoconScalar(variable, HoconScalarKind.String, substitution.Origin);
            }

            return substitution.Optional
                ? null
                : throw new HoconException(
                    substitution.Origin,
                    $"could not resolve substitution {substitution}: \"{substitution.Path}\" is not defined in the configuration "
                    + $"and there is no environment variable named \"{variableName}\"");
        }
        finally
        {
            _activeSubstitutions.RemoveAt(_activeSubstitutions.Count - 1);
        }
    }

    private HoconValue? ResolvePath(IReadOnlyList<Layer> layers, HoconPath path, IEnumerable<string> segments)
    {
        foreach (var segment in segments)
        {
            var parts = CollectObjectParts(layers, path, out var nonObjectTop);
            if (nonObjectTop is not null || parts.Count == 0)
            {
                return null;
            }

            layers = ChildLayers(parts, segment);
            path = path.Append(segment);
            if (layers.Count == 0)
            {
                return null;
            }
        }

        return ResolveStack(layers, path);
    }

    private HoconException CycleError(int depth)
    {
        var chain = _activeSubstitutions.Skip(depth).ToList();
        var rendered = string.Join(" -> ", chain.Append(chain[0]).Select(substitution => substitution.ToString()));
        return new HoconException(chain[^1].Origin, $"substitution cycle: {rendered}");
    }

    /// <summary>One definition of a field: either still raw, or a value already resolved elsewhere.</summary>
    private readonly record struct Layer(RawNode? Raw, HoconValue? Resolved)
    {
        public Layer(RawNode raw)
            : this(raw, null)
        {
        }

        public Layer(HoconValue resolved)
            : this(null, resolved)
        {
        }

        public HoconOrigin Origin => Raw?.Origin ?? Resolved!.Origin;
    }

    /// <summary>While resolving a field's newest definition, the field's path and the definitions below it.</summary>
    private sealed record SelfReference(HoconPath Path, IReadOnlyList<Layer> Below);
}
