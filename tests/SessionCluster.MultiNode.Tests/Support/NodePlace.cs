namespace SessionCluster.MultiNode.Tests.Support;

/// <summary>Where a node of a spec runs: the address it binds and advertises, and the network namespace it runs in
/// (null: the test host's own).</summary>
internal sealed record NodePlace(string Address, string? Namespace = null)
{
    /// <summary>127.0.0.1 in the test host's namespace: where every spec's nodes run unless it says otherwise.</summary>
    public static readonly NodePlace Loopback = new("127.0.0.1");
}
