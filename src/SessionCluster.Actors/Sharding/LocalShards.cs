using SessionCluster.Actors.Runtime;
using SessionCluster.Actors.Sessions;

namespace SessionCluster.Actors.Sharding;

/// <summary>The shards this node hosts and their sessions: written only by the <see cref="ShardRegionActor"/>, read by
/// anyone, so a request for a local session can go straight to its entity without a hop through the region's mailbox.</summary>
/// <remarks>
/// The region is the single authority; this is its published view. A reader can see a shard a moment after it
/// stopped serving or an entity a moment after it stopped; the entity then answers nothing (its Ask fails with
/// <see cref="ActorTerminatedException"/>) and the caller goes through the region, which knows better.
/// </remarks>
public sealed class LocalShards(int numberOfShards)
{
    private readonly LocalShard?[] _shards = new LocalShard?[numberOfShards];

    public int NumberOfShards => _shards.Length;

    /// <summary>The entity of a local session whose shard is serving here, if it is running.</summary>
    public bool TryGetEntity(SessionId id, out ActorRef entity) => TryGetEntity(ShardId.Of(id, _shards.Length), id, long.MaxValue, out entity);

    /// <summary>Shards hosted here (serving or moving) with their session counts, in shard order.</summary>
    public IReadOnlyList<(int Shard, bool Serving, int Sessions)> Counts()
    {
        var counts = new List<(int, bool, int)>();
        for (var i = 0; i < _shards.Length; i++)
        {
            if (Volatile.Read(ref _shards[i]) is { } shard)
            {
                counts.Add((i, shard.Serving, shard.Sessions.Count));
            }
        }

        return counts;
    }

    /// <summary>The sessions of every shard hosted here (serving or moving), in all.</summary>
    public int SessionCount()
    {
        var count = 0;
        for (var i = 0; i < _shards.Length; i++)
        {
            if (Volatile.Read(ref _shards[i]) is { } shard)
            {
                count += shard.Sessions.Count;
            }
        }

        return count;
    }

    internal LocalShard? this[int shard] => Volatile.Read(ref _shards[shard]);

    /// <summary>The running entity of a session in <paramref name="shard"/>, serving here under an epoch no newer than
    /// <paramref name="epoch"/> (a request sent under an older allocation must hear of the new one from the region;
    /// local callers pass <see cref="long.MaxValue"/>).</summary>
    internal bool TryGetEntity(int shard, SessionId id, long epoch, out ActorRef entity)
    {
        if ((uint)shard < (uint)_shards.Length && Volatile.Read(ref _shards[shard]) is { Serving: true } hosted &&
            epoch >= hosted.Epoch && hosted.Sessions.TryGet(id, out var slot) && slot.Entity is { } running)
        {
            entity = running;
            return true;
        }

        entity = null!;
        return false;
    }

    internal IEnumerable<(int Shard, LocalShard Hosted)> All
    {
        get
        {
            for (var i = 0; i < _shards.Length; i++)
            {
                if (Volatile.Read(ref _shards[i]) is { } shard)
                {
                    yield return (i, shard);
                }
            }
        }
    }

    internal void Publish(int shard, LocalShard hosted) => Volatile.Write(ref _shards[shard], hosted);

    internal LocalShard? Remove(int shard) => Interlocked.Exchange(ref _shards[shard], null);
}

/// <summary>One shard hosted here: its sessions, and whether it serves requests right now (false while handing off).</summary>
public sealed class LocalShard
{
    private volatile bool _serving = true;
    private long _epoch;

    internal SessionDirectory Sessions { get; } = new();

    public bool Serving
    {
        get => _serving;
        internal set => _serving = value;
    }

    /// <summary>When this node started serving the shard (the cluster's clock); only the region actor reads it.</summary>
    internal DateTimeOffset StartedAt { get; set; }

    /// <summary>The epoch of the allocation this node serves the shard under.</summary>
    public long Epoch
    {
        get => Volatile.Read(ref _epoch);
        internal set => Volatile.Write(ref _epoch, value);
    }
}
