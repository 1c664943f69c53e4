namespace SessionCluster.TestKit;

/// <summary>One sample line of a parsed exposition: name, labels (unescaped) and value; <see cref="Family"/> is the family it belongs to.</summary>
public sealed record PrometheusSample(string Name, IReadOnlyDictionary<string, string> Labels, double Value)
{
    public string Family { get; init; } = Name;
}
