namespace SessionCluster.Actors.Hosting;

/// <summary>Who this node is, bound from <c>session-cluster.node</c>.</summary>
/// <param name="Route">The cookie's route suffix; empty means derived from the HTTP endpoint (see <see cref="NodeRoute"/>).</param>
/// <param name="Roles">What the node does: worker, front, lighthouse.</param>
public sealed record NodeSettings(string Route, IReadOnlyList<string> Roles);
