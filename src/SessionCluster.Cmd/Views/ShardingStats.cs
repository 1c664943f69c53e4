using SessionCluster.Cmd.Model;

namespace SessionCluster.Cmd.Views;

/// <summary>
/// What <c>sessionctl sharding stats</c> shows (and prints with <c>--json</c>): per node, the shards it is home to,
/// the backups it keeps and the sessions of its home shards, computed from the shard table and the membership.
/// </summary>
/// <remarks>
/// Invariant: the nodes' <see cref="NodeShardStats.Shards"/> plus <see cref="Unassigned"/> equal <see cref="Shards"/>,
/// and the nodes' sessions add up to <see cref="Sessions"/>. A shard whose session count is unknown counts 0.
/// </remarks>
/// <param name="Coordinator">The coordinator's cluster address as the asked node knows it.</param>
/// <param name="Shards">Every shard in the table (the cluster's number-of-shards once the coordinator knows them all).</param>
/// <param name="Unassigned">Shards without a home at the moment the table was read.</param>
/// <param name="Sessions">Sessions in all home shards.</param>
/// <param name="Nodes">One line per node, in address order.</param>
public sealed record ShardingStats(
    string? Coordinator,
    int Shards,
    int Unassigned,
    long Sessions,
    IReadOnlyList<NodeShardStats> Nodes)
{
    /// <summary>
    /// Every worker member (whatever its status), and every address the table names as a home or backup, each once,
    /// in address order. Fronts and the Lighthouse host nothing and are left out unless the table names them.
    /// </summary>
    public static ShardingStats Compute(ShardTableDocument table, MembersDocument? members)
    {
        var byAddress = new Dictionary<string, (int Shards, int Backups, long Sessions)>(StringComparer.Ordinal);
        foreach (var member in members?.Members ?? [])
        {
            if (member.Roles.Contains("worker", StringComparer.Ordinal))
            {
                byAddress.TryAdd(member.Address, default);
            }
        }

        var unassigned = 0;
        foreach (var shard in table.Shards)
        {
            if (shard.Home is { } home)
            {
                var counts = byAddress.GetValueOrDefault(home);
                byAddress[home] = (counts.Shards + 1, counts.Backups, counts.Sessions + (shard.Sessions ?? 0));
            }
            else
            {
                unassigned++;
            }

            foreach (var backup in shard.Backups ?? [])
            {
                var counts = byAddress.GetValueOrDefault(backup);
                byAddress[backup] = (counts.Shards, counts.Backups + 1, counts.Sessions);
            }
        }

        var memberByAddress = (members?.Members ?? []).ToDictionary(member => member.Address, StringComparer.Ordinal);
        var nodes = byAddress
            .OrderBy(entry => entry.Key, AddressComparer.Instance)
            .Select(entry =>
            {
                var member = memberByAddress.GetValueOrDefault(entry.Key);
                return new NodeShardStats(entry.Key, member?.Roles ?? [], member?.Status, entry.Value.Shards, entry.Value.Backups, entry.Value.Sessions, member?.Route);
            })
            .ToList();
        return new ShardingStats(table.Coordinator, table.Shards.Count, unassigned, nodes.Sum(node => node.Sessions), nodes);
    }
}
