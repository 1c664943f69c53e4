namespace SessionCluster.MultiNode.Tests.Support;

/// <summary>A fact that cuts a real network link (<see cref="NamespaceLink"/>): skipped, with the reason, where this
/// machine cannot create network namespaces (not root, no iproute2; .ci/run installs iproute2).</summary>
/// <remarks>xunit 2 decides skipping when it discovers tests, so the probe runs here, once per test run.</remarks>
[AttributeUsage(AttributeTargets.Method)]
internal sealed class PartitionFactAttribute : FactAttribute
{
    private static readonly Lazy<string?> Problem = new(NamespaceLink.Unavailable);

    public PartitionFactAttribute()
    {
        if (Problem.Value is { } problem)
        {
            Skip = $"needs a network namespace: {problem}.";
        }
    }
}
