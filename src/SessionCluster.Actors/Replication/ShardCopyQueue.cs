using SessionCluster.Actors.Remoting;

namespace SessionCluster.Actors.Replication;

/// <summary>The whole-shard copies a node owes its new backups, sent a few at a time in the order they were asked for:
/// the throttle that keeps restoring many backups at once from crowding heartbeats and live traffic off the connections.</summary>
/// <remarks>
/// <para><b>Why.</b> A crash or a joining worker asks one node for copies of dozens of shards at the same moment. Sent
/// together, each with its own window, they put hundreds of MiB in front of the heartbeats on the same connections: on
/// a loaded machine a sender was once marked unreachable that way, mid-copy, and downed while it held the only whole
/// copy. At most <c>max-concurrent-copies</c> copies send here; the rest wait, holding only references to the
/// (immutable) session states.</para>
/// <para><b>Order.</b> First come, first served: a copy waits behind those asked for before it. A copy re-started for
/// the same backup (a new epoch while it was under way) keeps its place, and its turn if it had one.</para>
/// <para><b>Progress.</b> A sending copy whose backup has acknowledged nothing new for <c>stallAfter</c> of its turn (a backup that
/// died and is not yet downed, or that refuses the copy's epoch until the home learns a newer one) gives up its turn to
/// the next waiting copy and goes to the back of the queue, keeping what was acknowledged. So one silent backup cannot
/// hold back the copies to live ones, and every copy still gets its turn again.</para>
/// <para>Not thread-safe: the region actor alone uses it.</para>
/// </remarks>
public sealed class ShardCopyQueue
{
    private readonly Dictionary<(int Shard, NodeAddress To), ShardCopy<ReplicaCopy>> _copies = [];
    private readonly List<(int Shard, NodeAddress To)> _order = [];
    // Each sending copy with the moment its turn began.
    private readonly Dictionary<(int Shard, NodeAddress To), DateTimeOffset> _sending = [];
    private readonly int _maxSending;
    private readonly TimeSpan _stallAfter;

    /// <param name="maxSending">Most copies sending at once.</param>
    /// <param name="stallAfter">How long a sending copy may go without a new acknowledgement before it yields its turn
    /// to a waiting one.</param>
    public ShardCopyQueue(int maxSending, TimeSpan stallAfter)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxSending);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(stallAfter, TimeSpan.Zero);
        _maxSending = maxSending;
        _stallAfter = stallAfter;
    }

    /// <summary>Copies not yet complete: sending and waiting.</summary>
    public int Count => _copies.Count;

    /// <summary>Copies whose turn it is.</summary>
    public int Sending => _sending.Count;

    /// <summary>The copy of <paramref name="shard"/> to <paramref name="to"/> under way or waiting, or null.</summary>
    public ShardCopy<ReplicaCopy>? Find(int shard, NodeAddress to) => _copies.GetValueOrDefault((shard, to));

    /// <summary>Queues <paramref name="copy"/>; one to the same backup of the same shard is replaced in its place.</summary>
    public void Enqueue(ShardCopy<ReplicaCopy> copy)
    {
        ArgumentNullException.ThrowIfNull(copy);
        var key = (copy.Shard, copy.To);
        if (!_copies.ContainsKey(key))
        {
            _order.Add(key);
        }

        _copies[key] = copy;
    }

    /// <summary>Forgets the copies of <paramref name="shard"/> whose backup <paramref name="drop"/> says to.</summary>
    public void Forget(int shard, Func<NodeAddress, bool> drop)
    {
        ArgumentNullException.ThrowIfNull(drop);
        foreach (var key in _order.Where(key => key.Shard == shard && drop(key.To)).ToList())
        {
            Remove(key);
        }
    }

    /// <summary>Records <paramref name="from"/>'s acknowledgement of a slice, if it is for a copy queued here under the
    /// same epoch.</summary>
    public void Acknowledged(NodeAddress from, ReplicaCopyAck ack, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(ack);
        if (_copies.TryGetValue((ack.Shard, from), out var copy) && copy.Epoch == ack.Epoch)
        {
            copy.Acknowledged(ack.Chunk, now);
        }
    }

    /// <summary>The slices to send now, each with its backup: completed copies leave, stalled ones yield their turn,
    /// waiting ones take the free turns in order, and each sending copy gives what is due (see <see cref="ShardCopy{TSlice}.Due"/>).</summary>
    public IReadOnlyList<(NodeAddress To, ReplicaCopy Slice)> Due(DateTimeOffset now)
    {
        foreach (var key in _order.Where(key => _copies[key].IsComplete).ToList())
        {
            Remove(key);
        }

        var waiting = _copies.Count - _sending.Count;
        foreach (var key in _order.Where(_sending.ContainsKey).ToList())
        {
            var progress = _copies[key].LastProgress is { } acked && acked > _sending[key] ? acked : _sending[key];
            if (waiting > 0 && now - progress >= _stallAfter)
            {
                // To the back of the queue; one waiting copy takes its turn below.
                _sending.Remove(key);
                _order.Remove(key);
                _order.Add(key);
                waiting--;
            }
        }

        foreach (var key in _order)
        {
            if (_sending.Count >= _maxSending)
            {
                break;
            }

            _sending.TryAdd(key, now);
        }

        var due = new List<(NodeAddress, ReplicaCopy)>();
        foreach (var key in _order.Where(_sending.ContainsKey))
        {
            var copy = _copies[key];
            foreach (var slice in copy.Due(now))
            {
                due.Add((copy.To, slice));
            }
        }

        return due;
    }

    private void Remove((int Shard, NodeAddress To) key)
    {
        _copies.Remove(key);
        _order.Remove(key);
        _sending.Remove(key);
    }
}
