using System.Collections.Immutable;
using SessionCluster.Actors.Remoting;
using SessionCluster.Actors.Sessions;

namespace SessionCluster.Actors.Replication;

/// <summary>Builds the message that carries slice <paramref name="chunk"/> of <paramref name="chunkCount"/> of a shard's
/// sessions under <paramref name="epoch"/>: a backup copy's <see cref="ReplicaCopy"/> or a hand-off's transfer.</summary>
public delegate TSlice SliceMessage<out TSlice>(int shard, long epoch, int chunk, int chunkCount, ImmutableArray<SessionCrdt> sessions);

/// <summary>The home's side of copying a whole shard to another node (a new backup, or the shard's new home at a
/// hand-off), as a pure state machine: slices of bounded size, at most a window of them unacknowledged, each re-sent
/// until acknowledged, with exponential back-off.</summary>
/// <remarks>
/// The sessions are immutable CRDT states, so the copy holds references to them, never copies of their bytes; a
/// slice's message is built only when it is sent. The window is the back-pressure: the sender's extra memory is at
/// most a window of slices on the wire, and the connection stays free for live traffic between them (Tomcat's
/// GET_ALL_SESSIONS serialised every session at once and doubled the sender's heap). Deltas written meanwhile go to the
/// new backup as well; both merge, so the copy need not be a consistent cut.
/// <para><b>Re-sends.</b> The transport delivers in order on a live connection, so a slice unacknowledged after the
/// resend interval is usually only slow (a loaded receiver, a busy link), and re-sending it at a fixed rate is what once
/// turned 1 GB of copies into 28 GB on the wire. Each slice therefore waits twice as long before each re-send, up to a
/// cap. Loss shows itself otherwise: when a slice sent after an unacknowledged one is acknowledged, the earlier one was
/// lost (a connection broke and came back) and goes again at once, its back-off reset.</para>
/// <para><b>Offers.</b> A copy may send each slice as a cheaper stand-in first (a hand-off onto a node that keeps a backup
/// copy: the sessions' fingerprints), and in full only once the receiver asks for that slice (<see cref="SendInFull"/>).</para>
/// </remarks>
/// <typeparam name="TSlice">The message a slice travels in.</typeparam>
public sealed class ShardCopy<TSlice>
{
    private readonly IReadOnlyList<SessionCrdt> _sessions;
    private readonly SliceMessage<TSlice> _message;
    private readonly SliceMessage<TSlice>? _offer;
    private readonly bool[] _inFull;
    private readonly int[] _starts;
    private readonly DateTimeOffset[] _dueAt;
    private readonly int[] _sends;
    private readonly long[] _sentAs;
    private readonly bool[] _acked;
    private readonly int _window;
    private readonly TimeSpan _resendInterval;
    private readonly TimeSpan _maxResendInterval;
    private long _lastSend;
    private int _nextUnsent;
    private int _ackedCount;

    /// <param name="shard">The shard copied.</param>
    /// <param name="epoch">The epoch the copy is made under; the receiver refuses it if it knows a newer one.</param>
    /// <param name="to">The receiver.</param>
    /// <param name="sessions">The shard's sessions as they stand when the copy starts.</param>
    /// <param name="message">Builds a slice's message.</param>
    /// <param name="chunkBytes">Largest slice on the wire, by <see cref="SessionCrdtWireFormat.EstimatedSize"/> (a
    /// session larger than this travels alone).</param>
    /// <param name="window">Most slices unacknowledged at once.</param>
    /// <param name="resendInterval">How long a slice waits for its acknowledgement before it is first sent again.</param>
    /// <param name="maxResendInterval">The longest wait between re-sends of a slice, which doubles from
    /// <paramref name="resendInterval"/> with each re-send.</param>
    /// <param name="offer">If set, builds each slice's message until the receiver asks for that slice in full
    /// (<see cref="SendInFull"/>): a cheaper stand-in for the sessions, such as their fingerprints.</param>
    public ShardCopy(
        int shard,
        long epoch,
        NodeAddress to,
        IReadOnlyList<SessionCrdt> sessions,
        SliceMessage<TSlice> message,
        int chunkBytes,
        int window,
        TimeSpan resendInterval,
        TimeSpan maxResendInterval,
        SliceMessage<TSlice>? offer = null)
    {
        ArgumentNullException.ThrowIfNull(to);
        ArgumentNullException.ThrowIfNull(sessions);
        ArgumentNullException.ThrowIfNull(message);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(chunkBytes);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(window);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(resendInterval, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxResendInterval, resendInterval);
        Shard = shard;
        Epoch = epoch;
        To = to;
        _sessions = sessions;
        _message = message;
        _offer = offer;
        _window = window;
        _resendInterval = resendInterval;
        _maxResendInterval = maxResendInterval;
        _starts = Slice(sessions, chunkBytes);
        _dueAt = new DateTimeOffset[_starts.Length];
        _sends = new int[_starts.Length];
        _sentAs = new long[_starts.Length];
        _acked = new bool[_starts.Length];
        _inFull = new bool[_starts.Length];
    }

    public int Shard { get; }

    public long Epoch { get; }

    public NodeAddress To { get; }

    /// <summary>Slices in the copy; at least one (an empty shard is copied as one empty slice, which still proves it whole).</summary>
    public int ChunkCount => _starts.Length;

    public bool IsComplete => _ackedCount == _starts.Length;

    /// <summary>Slices sent and not yet acknowledged.</summary>
    public int InFlight => _nextUnsent - _ackedCount;

    /// <summary>When the receiver last acknowledged a slice it had not acknowledged before, or when the copy first sent
    /// anything; null before that. A copy whose receiver stays silent long after this is stalled (see
    /// <see cref="ShardCopyQueue"/>).</summary>
    public DateTimeOffset? LastProgress { get; private set; }

    /// <summary>The slices to send now: new ones while the window has room, and unacknowledged ones whose back-off has
    /// run out (or that a later slice's acknowledgement showed lost).</summary>
    public IReadOnlyList<TSlice> Due(DateTimeOffset now)
    {
        LastProgress ??= now;
        var due = new List<TSlice>();
        for (var chunk = 0; chunk < _nextUnsent; chunk++)
        {
            if (!_acked[chunk] && now >= _dueAt[chunk])
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

    /// <summary>The receiver took slice <paramref name="chunk"/>, acknowledged at <paramref name="now"/>. Every slice
    /// still unacknowledged that was last sent before this one was lost on the way (the transport keeps order): it is due
    /// at once, its back-off reset.</summary>
    public void Acknowledged(int chunk, DateTimeOffset now)
    {
        if ((uint)chunk >= (uint)_acked.Length || chunk >= _nextUnsent || _acked[chunk])
        {
            return;
        }

        _acked[chunk] = true;
        _ackedCount++;
        LastProgress = now;
        for (var earlier = 0; earlier < _nextUnsent; earlier++)
        {
            if (!_acked[earlier] && _sentAs[earlier] < _sentAs[chunk] && _dueAt[earlier] > now)
            {
                _dueAt[earlier] = now;
                _sends[earlier] = 0;
            }
        }
    }

    /// <summary>The receiver could not use the offer of slice <paramref name="chunk"/>: it goes again at once, in full
    /// from now on. Nothing for a slice not sent, already acknowledged, or already in full.</summary>
    public void SendInFull(int chunk, DateTimeOffset now)
    {
        if (_offer is null || (uint)chunk >= (uint)_acked.Length || chunk >= _nextUnsent || _acked[chunk] || _inFull[chunk])
        {
            return;
        }

        _inFull[chunk] = true;
        _dueAt[chunk] = now;
        _sends[chunk] = 0;
    }

    private TSlice Message(int chunk, DateTimeOffset now)
    {
        _sends[chunk]++;
        _sentAs[chunk] = ++_lastSend;
        _dueAt[chunk] = now + ResendBackOff.After(_sends[chunk], _resendInterval, _maxResendInterval);
        var end = chunk + 1 < _starts.Length ? _starts[chunk + 1] : _sessions.Count;
        var slice = ImmutableArray.CreateBuilder<SessionCrdt>(end - _starts[chunk]);
        for (var i = _starts[chunk]; i < end; i++)
        {
            slice.Add(_sessions[i]);
        }

        var message = _offer is null || _inFull[chunk] ? _message : _offer;
        return message(Shard, Epoch, chunk, _starts.Length, slice.MoveToImmutable());
    }

    /// <summary>The index of the first session of each slice.</summary>
    private static int[] Slice(IReadOnlyList<SessionCrdt> sessions, int chunkBytes)
    {
        var starts = new List<int> { 0 };
        var bytes = 0;
        for (var i = 0; i < sessions.Count; i++)
        {
            var size = SessionCrdtWireFormat.EstimatedSize(sessions[i]);
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
