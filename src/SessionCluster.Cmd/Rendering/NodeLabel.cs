namespace SessionCluster.Cmd.Rendering;

/// <summary>How a node is named within a line: its cluster address, with its route name when it has one.</summary>
public static class NodeLabel
{
    /// <summary>"127.0.0.1:4054 (w1)", or the address alone without a route.</summary>
    public static string Of(string address, string? route) => route is null ? address : $"{address} ({route})";
}
