namespace SessionCluster.Hosting.Http;

/// <summary>Marks an endpoint of the session contract (<c>/session…</c>): <see cref="SessionRequestMetrics"/> measures
/// the requests of marked endpoints and only those.</summary>
/// <remarks>Metadata rather than a path prefix, so the contract is still measured when an app maps it under a prefix of
/// its own (<c>app.MapGroup("/api").MapSessionClusterEndpoints()</c>).</remarks>
public sealed class SessionContractMetadata
{
    private SessionContractMetadata()
    {
    }

    /// <summary>The one instance every session endpoint carries.</summary>
    public static SessionContractMetadata Instance { get; } = new();
}
