namespace SessionCluster.TestKit;

/// <summary>A metric family of a parsed exposition: its name, type and HELP text (unescaped).</summary>
public sealed record PrometheusFamily(string Name, string Type, string? Help);
