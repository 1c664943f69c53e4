using System.Collections.Immutable;
using SessionCluster.Actors.Remoting;

namespace SessionCluster.Actors.Replication;

/// <summary>The home's side of copying a whole shard to a new backup, as a pure state machine: slices of bounded size,
/// at most a window of them unacknowledged, each re-sent until acknowledged.</summary>
/// <remarks>
/// The sessions are immutable CRDT states, so the copy holds references to them, never copies of their bytes; a
/// slice's message is built only when it is sent. The window is the back-pressure: the sender's extra memory is at
/// most a window of slices on the wire, and the connection stays free for live traffic between them (Tomcat's
/// GET_ALL_SESSIONS serialised every session at once and doubled the sender's heap). Deltas written meanwhile go to the
/// new backup as well; both merge, so the copy need not be a consistent cut.
/// </remarks>
public sealed class ShardCopy
{
    // Framing per session on top of its names and values: id, times, timestamps, field tags.
    private const int SessionOverheadBytes = 64;

    // Per attribute entry: timestamp, tombstone flag, counter entries.
    private const int EntryOverheadBytes = 40;

    // Per remembered increment: operation id, value, timestamp, and a name as long as the attribute's usually is.
    private const int AppliedIncrementBytes = 56;

    private readonly IReadOnlyList<SessionCrdt> _sessions;
    private readonly int[] _starts;
    private readonly DateTimeOffset[] _sentAt;
    private readonly bool[] _acked;
    private readonly int _window;
    private int _nextUnsent;
    private int _ackedCount;

    /// <param name="shard">The shard copied.</param>
    /// <param name="epoch">The epoch the copy is made under; the backup refuses it if it knows a newer one.</param>
    /// <param name="to">The new backup.</param>
    /// <param name="sessions">The shard's sessions as they stand when the copy starts.</param>
    /// <param name="chunkBytes">Largest slice, estimated from the states' sizes.</param>
    /// <param name="window">Most slices unacknowledged at once.</param>
    public ShardCopy(int shard, long epoch, NodeAddress to, IReadOnlyList<SessionCrdt> sessions, int chunkBytes, int window)
    {
        ArgumentNullException.ThrowIfNull(to);
        ArgumentNullException.ThrowIfNull(sessions);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(chunkBytes);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(window);
        Shard = shard;
        Epoch = epoch;
        To = to;
        _sessions = sessions;
        _window = window;
        _starts = Slice(sessions, chunkBytes);
        _sentAt = new DateTimeOffset[_starts.Length];
        _acked = new bool[_starts.Length];
    }

    public int Shard { get; }

    public long Epoch { get; }

    public NodeAddress To { get; }

    /// <summary>Slices in the copy; at least one (an empty shard is copied as one empty slice, which still proves it whole).</summary>
    public int ChunkCount => _starts.Length;

    public bool IsComplete => _ackedCount == _starts.Length;

    /// <summary>The slices to send now: new ones while the window has room, and unacknowledged ones sent at least
    /// <paramref name="resendInterval"/> ago.</summary>
    public IReadOnlyList<ReplicaCopy> Due(DateTimeOffset now, TimeSpan resendInterval)
    {
        var due = new List<ReplicaCopy>();
        for (var chunk = 0; chunk < _nextUnsent; chunk++)
        {
            if (!_acked[chunk] && now - _sentAt[chunk] >= resendInterval)
            {
                due.Add(Message(chunk, now));
            }
        }

        // Acks come only for sent slices, so the slices in flight are the sent ones less the acknowledged ones.
        while (_nextUnsent < _starts.Length && _nextUnsent - _ackedCount < _window)
        {
            due.Add(Message(_nextUnsent++, now));
        }

        return due;
    }

    /// <summary>The backup merged slice <paramref name="chunk"/>.</summary>
    public void Acknowledged(int chunk)
    {
        if ((uint)chunk < (uint)_acked.Length && chunk < _nextUnsent && !_acked[chunk])
        {
            _acked[chunk] = true;
            _ackedCount++;
        }
    }

    private ReplicaCopy Message(int chunk, DateTimeOffset now)
    {
        _sentAt[chunk] = now;
        var end = chunk + 1 < _starts.Length ? _starts[chunk + 1] : _sessions.Count;
        var slice = ImmutableArray.CreateBuilder<SessionCrdt>(end - _starts[chunk]);
        for (var i = _starts[chunk]; i < end; i++)
        {
            slice.Add(_sessions[i]);
        }

        return new ReplicaCopy(Shard, Epoch, chunk, _starts.Length, slice.MoveToImmutable());
    }

    /// <summary>The index of the first session of each slice.</summary>
    private static int[] Slice(IReadOnlyList<SessionCrdt> sessions, int chunkBytes)
    {
        var starts = new List<int> { 0 };
        var bytes = 0;
        for (var i = 0; i < sessions.Count; i++)
        {
            var size = SessionOverheadBytes + sessions[i].SizeInBytes + (EntryOverheadBytes * sessions[i].Attributes.Entries.Length) +
                (AppliedIncrementBytes * sessions[i].RecentIncrements.Count);
            if (bytes > 0 && bytes + size > chunkBytes)
            {
                starts.Add(i);
                bytes = 0;
            }

            bytes += size;
        }

        return [.. starts];
    }
}
