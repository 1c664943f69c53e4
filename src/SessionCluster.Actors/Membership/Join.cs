namespace SessionCluster.Actors.Membership;

/// <summary>Asks a member to admit the sender (the transport's sender incarnation) as Joining.</summary>
/// <param name="ClusterName">Checked again: the member may not be the seed that acknowledged.</param>
/// <param name="Roles">The joiner's roles, fixed for its incarnation.</param>
/// <param name="Route">The joiner's route name; empty for none.</param>
public sealed record Join(string ClusterName, IReadOnlyList<string> Roles, string Route = "");
