using Microsoft.Extensions.Logging;
using SessionCluster.Actors.Remoting;

namespace SessionCluster.Actors.Sharding;

/// <summary>Logs the shards this node handed off as one line per new home, once no hand-off is under way here (or at
/// least every <see cref="LineAtLeastEvery"/>), instead of a line per shard.</summary>
/// <remarks>A worker that joins takes a quarter of the shards; their old homes used to log several lines per shard
/// moved. The per-shard lines are still there at Debug.</remarks>
internal sealed partial class HandOffLog(ILogger logger)
{
    /// <summary>Hand-offs still going on after this long are logged as far as they got, so that a long drain shows progress.</summary>
    internal static readonly TimeSpan LineAtLeastEvery = TimeSpan.FromSeconds(10);

    private readonly SortedDictionary<NodeAddress, HandedOff> _pending = [];

    /// <summary>True if some hand-off is waiting to be logged.</summary>
    public bool HasPending => _pending.Count > 0;

    /// <summary>The move of <paramref name="shard"/> to <paramref name="to"/> is confirmed; <paramref name="sessions"/>
    /// went with it, and this node keeps them as the new home's backup copy if <paramref name="keptAsBackup"/>.</summary>
    public void Completed(int shard, NodeAddress to, int sessions, bool keptAsBackup, DateTimeOffset now)
    {
        if (!_pending.TryGetValue(to, out var handedOff))
        {
            _pending[to] = handedOff = new HandedOff(now);
        }

        handedOff.Shards.Add(shard);
        handedOff.Sessions += sessions;
        handedOff.KeptAsBackup += keptAsBackup ? 1 : 0;
        LogHandedOffShard(shard, to, sessions, keptAsBackup ? "kept here as a backup copy" : "dropped here");
    }

    /// <summary>Logs what was handed off if nothing is <paramref name="underWay"/> any more, or if it has waited long enough.</summary>
    public void Flush(bool underWay, DateTimeOffset now)
    {
        foreach (var (to, handedOff) in _pending.Where(entry => !underWay || now - entry.Value.Since >= LineAtLeastEvery).ToList())
        {
            handedOff.Shards.Sort();
            LogHandedOff(handedOff.Shards.Count, to, ShardRanges.Format(handedOff.Shards), handedOff.Sessions, handedOff.KeptAsBackup);
            _pending.Remove(to);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "{Count} shards handed off to {To}: {Shards}; {Sessions} sessions; {KeptAsBackup} of these shards kept here as backup copies")]
    private partial void LogHandedOff(int count, NodeAddress to, string shards, int sessions, int keptAsBackup);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Shard {Shard} handed off to {To} with {Sessions} sessions, {What}")]
    private partial void LogHandedOffShard(int shard, NodeAddress to, int sessions, string what);

    /// <summary>Shards handed off to one new home since <see cref="Since"/> and not logged yet.</summary>
    private sealed class HandedOff(DateTimeOffset since)
    {
        public DateTimeOffset Since { get; } = since;

        public List<int> Shards { get; } = [];

        public int Sessions { get; set; }

        public int KeptAsBackup { get; set; }
    }
}
