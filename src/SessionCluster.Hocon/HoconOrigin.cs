namespace SessionCluster.Hocon;

/// <summary>Where a HOCON value or error comes from: file (or origin name), 1-based line and column.</summary>
public sealed record HoconOrigin(string File, int Line, int Column)
{
    /// <summary>Renders as <c>file:line:column</c>, the form compilers and editors understand.</summary>
    public override string ToString() => $"{File}:{Line}:{Column}";
}
