using Microsoft.Extensions.Logging;
using SessionCluster.Actors.Remoting;

namespace SessionCluster.Actors.Sharding;

/// <summary>Logs what this node's shards go through, a line per batch rather than per shard: the shards it handed off
/// (one line per new home once none is under way), the shards it started (once none is still on its way here), the
/// shards it dropped together, and the backup copies it received (once they stop arriving and all are whole).</summary>
/// <remarks>A worker that joins takes a quarter of the shards and backs up as many: its old homes used to log several
/// lines per shard moved, and it one per copy. A batch still going on after <see cref="LineAtLeastEvery"/> is logged as
/// far as it got, so a long drain shows progress. The per-shard lines are at Debug. Called only by the region actor.</remarks>
internal sealed partial class RegionTransitionLog(ILogger logger)
{
    /// <summary>The longest a batch waits before it is logged as far as it got.</summary>
    internal static readonly TimeSpan LineAtLeastEvery = TimeSpan.FromSeconds(10);

    /// <summary>Backup copies arrive a few at a time (replication.max-concurrent-copies): a pause this long ends a wave.</summary>
    internal static readonly TimeSpan BackupCopiesQuietFor = TimeSpan.FromSeconds(1);

    private readonly SortedDictionary<NodeAddress, HandOffBatch> _handedOff = [];
    private readonly List<ShardStarted> _started = [];
    private DateTimeOffset? _startedSince;
    private int _copiesCompleted;
    private DateTimeOffset _lastCopyCompleted;

    /// <summary>True if a hand-off or a start waits to be logged (see <see cref="Flush"/>).</summary>
    public bool HasPending => _handedOff.Count > 0 || _started.Count > 0;

    /// <summary>The move of <paramref name="shard"/> to <paramref name="to"/> is confirmed; <paramref name="sessions"/>
    /// went with it, and this node keeps them as the new home's backup copy if <paramref name="keptAsBackup"/>.</summary>
    public void HandedOff(int shard, NodeAddress to, int sessions, bool keptAsBackup, DateTimeOffset now)
    {
        if (!_handedOff.TryGetValue(to, out var handedOff))
        {
            _handedOff[to] = handedOff = new HandOffBatch(now);
        }

        handedOff.Shards.Add(shard);
        handedOff.Sessions += sessions;
        handedOff.KeptAsBackup += keptAsBackup ? 1 : 0;
        LogHandedOffShard(shard, to, sessions, keptAsBackup ? "kept here as a backup copy" : "dropped here");
    }

    /// <summary>A shard started serving here.</summary>
    public void Started(ShardStarted started, DateTimeOffset now)
    {
        _startedSince ??= now;
        _started.Add(started);
    }

    /// <summary>Shards this node stopped serving at once, not by a hand-off (superseded, or out of the cluster).</summary>
    public void Dropped(IReadOnlyList<(int Shard, int Sessions)> dropped)
    {
        var sessions = dropped.Sum(shard => shard.Sessions);
        var shards = ShardRanges.Format([.. dropped.Select(shard => shard.Shard).Order()]);
        LogShardsDropped(sessions == 0 ? LogLevel.Debug : LogLevel.Information, dropped.Count, shards, sessions);
    }

    /// <summary>A backup copy of <paramref name="shard"/> became whole here.</summary>
    public void BackupCopyCompleted(int shard, DateTimeOffset now)
    {
        _copiesCompleted++;
        _lastCopyCompleted = now;
        LogBackupCopyComplete(shard);
    }

    /// <summary>After each input: logs the hand-offs if none is <paramref name="handingOff"/> here any more, and the
    /// starts if no shard is <paramref name="receiving"/> (each asked only when something waits), or what has waited
    /// long enough.</summary>
    public void Flush(Func<bool> handingOff, Func<bool> receiving, DateTimeOffset now)
    {
        if (_handedOff.Count > 0)
        {
            var underWay = handingOff();
            foreach (var (to, batch) in _handedOff.Where(entry => !underWay || now - entry.Value.Since >= LineAtLeastEvery).ToList())
            {
                batch.Shards.Sort();
                LogHandedOff(batch.Shards.Count, to, ShardRanges.Format(batch.Shards), batch.Sessions, batch.KeptAsBackup);
                _handedOff.Remove(to);
            }
        }

        if (_startedSince is { } since && (now - since >= LineAtLeastEvery || !receiving()))
        {
            var (handedOver, backedUp, sessions) = (_started.Sum(s => s.HandedOver), _started.Sum(s => s.BackedUp), _started.Sum(s => s.Sessions));
            var shards = ShardRanges.Format([.. _started.Select(s => s.Shard).Order()]);
            // Empty shards start by the hundred when a cluster forms: detail, not news.
            LogShardsStarted(sessions == 0 ? LogLevel.Debug : LogLevel.Information, _started.Count, shards, sessions, handedOver, backedUp);
            _started.Clear();
            _startedSince = null;
        }
    }

    /// <summary>On each tick: one line for the backup copies completed once they have stopped coming for
    /// <see cref="BackupCopiesQuietFor"/> and every copy held here (<paramref name="copies"/>, asked only then) is whole,
    /// or, if one stays partial (its home gone), after <see cref="LineAtLeastEvery"/>.</summary>
    public void FlushBackupCopies(Func<IReadOnlyList<(int Shard, int Sessions, bool Whole)>> copies, DateTimeOffset now)
    {
        var quiet = now - _lastCopyCompleted;
        if (_copiesCompleted == 0 || quiet < BackupCopiesQuietFor)
        {
            return;
        }

        var held = copies();
        var whole = held.Count(copy => copy.Whole);
        if (whole == held.Count || quiet >= LineAtLeastEvery)
        {
            var shards = ShardRanges.Format([.. held.Select(copy => copy.Shard)]);
            LogBackupCopiesCompleted(_copiesCompleted, held.Count, whole, shards, held.Sum(copy => copy.Sessions));
            _copiesCompleted = 0;
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "{Count} shards handed off to {To}: {Shards}; {Sessions} sessions; {KeptAsBackup} of these shards kept here as backup copies")]
    private partial void LogHandedOff(int count, NodeAddress to, string shards, int sessions, int keptAsBackup);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Shard {Shard} handed off to {To} with {Sessions} sessions, {What}")]
    private partial void LogHandedOffShard(int shard, NodeAddress to, int sessions, string what);

    [LoggerMessage(Message = "{Count} shards started: {Shards}; {Sessions} sessions, from {HandedOver} handed over and {BackedUp} in this node's backup copies")]
    private partial void LogShardsStarted(LogLevel level, int count, string shards, int sessions, int handedOver, int backedUp);

    [LoggerMessage(Message = "{Count} shards dropped: {Shards}; {Sessions} sessions no longer served here")]
    private partial void LogShardsDropped(LogLevel level, int count, string shards, int sessions);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Shard {Shard} backup copy complete")]
    private partial void LogBackupCopyComplete(int shard);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Completed} backup copies completed; this node holds {Count} ({Whole} whole): {Shards}; {Sessions} sessions")]
    private partial void LogBackupCopiesCompleted(int completed, int count, int whole, string shards, int sessions);

    /// <summary>Shards handed off to one new home since <see cref="Since"/> and not logged yet.</summary>
    private sealed class HandOffBatch(DateTimeOffset since)
    {
        public DateTimeOffset Since { get; } = since;

        public List<int> Shards { get; } = [];

        public int Sessions { get; set; }

        public int KeptAsBackup { get; set; }
    }
}

/// <summary>What starting one shard found: sessions handed over, sessions in this node's backup copy, and the sessions
/// it serves (the two merged).</summary>
internal readonly record struct ShardStarted(int Shard, int HandedOver, int BackedUp, int Sessions);
