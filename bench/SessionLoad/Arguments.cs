namespace SessionLoad;

/// <summary>The tool's <c>--name value</c> switches; an unknown or malformed switch is an error, never ignored.</summary>
internal sealed class Arguments
{
    private readonly Dictionary<string, string> _values;
    private readonly HashSet<string> _read = [];

    private Arguments(Dictionary<string, string> values) => _values = values;

    public static Arguments Parse(string[] args)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < args.Length; i += 2)
        {
            if (!args[i].StartsWith("--", StringComparison.Ordinal) || i + 1 >= args.Length)
            {
                throw new ArgumentException($"expected '--switch value', got '{args[i]}'");
            }

            values[args[i][2..]] = args[i + 1];
        }

        return new Arguments(values);
    }

    public string String(string name, string? fallback = null)
    {
        _read.Add(name);
        return _values.TryGetValue(name, out var value) ? value : fallback ?? throw new ArgumentException($"--{name} is required");
    }

    public long Long(string name, long? fallback = null, long min = 0)
    {
        var text = String(name, fallback?.ToString(System.Globalization.CultureInfo.InvariantCulture));
        if (!long.TryParse(text, System.Globalization.CultureInfo.InvariantCulture, out var value) || value < min)
        {
            throw new ArgumentException($"--{name} must be an integer ≥ {min}, got '{text}'");
        }

        return value;
    }

    /// <summary>Call after reading every switch: rejects the ones the command does not know.</summary>
    public void RejectUnknown()
    {
        foreach (var name in _values.Keys)
        {
            if (!_read.Contains(name))
            {
                throw new ArgumentException($"unknown switch --{name}");
            }
        }
    }
}
