namespace SessionCluster.Hocon;

/// <summary>A HOCON string, number, boolean or null, kept as the text that was written.</summary>
public sealed class HoconScalar : HoconValue
{
    public HoconScalar(string text, HoconScalarKind kind, HoconOrigin origin)
        : base(origin)
    {
        ArgumentNullException.ThrowIfNull(text);
        Text = text;
        Kind = kind;
    }

    /// <summary>The value as text: strings unquoted, numbers as written, booleans as <c>true</c>/<c>false</c>.</summary>
    public string Text { get; }

    public HoconScalarKind Kind { get; }

    public override string ToString() => Text;
}
