namespace SessionCluster.Actors.Replication;

/// <summary>One whole replicated session as a state-based CRDT: every operation returns the new state and a small
/// delta, and any two replicas merge into the same state whatever the order, loss or duplication of what they saw.</summary>
/// <remarks>
/// <para><b>Parts.</b> Identity (<see cref="Id"/>, <see cref="Created"/>, <see cref="MaxInactiveInterval"/>) is fixed
/// at creation and must be equal on both sides of a merge. <see cref="LastAccessed"/> is a max register (a touch never
/// moves it back). <see cref="Attributes"/> is an <see cref="AttributeMap"/> (last-writer-wins values, tombstones and
/// PN-counter increments; its remarks give the semantics and the garbage-collection rule). <see cref="Ended"/> is the
/// end tombstone: the session was invalidated or expired, at a hybrid logical timestamp. <see cref="RecentIncrements"/>
/// remembers the last few increments by operation id, so that a retried increment is answered, not counted twice (its
/// remarks give the bound and the merge).</para>
/// <para><b>End wins.</b> Once either side of a merge is ended, the result is ended and holds no attributes, so an end
/// beats every write older than it. It also beats writes newer than it, which cannot be legitimate: ids are never
/// reused and an ended session refuses commands, so such a write could only come from a bug, and dropping it is
/// better than bringing back half a session. An ended state is small (identity and tombstone, no increments
/// remembered: an ended session answers every command with not-found), and the operations refuse to run on one. Two
/// ends merge last-writer-wins, keeping the later one's reason. Forgetting an ended session altogether is the shard's
/// decision, under the same stability rule as attribute tombstones: once every replica has it, no late delta can
/// recreate the session.</para>
/// <para><b>Deltas.</b> A delta is itself a <see cref="SessionCrdt"/> holding the identity plus only what changed
/// (one attribute entry and, for an increment, its record; the new access time; or the end), with
/// <see cref="LastAccessed"/> = <see cref="Created"/> and no floor where nothing changed, so <see cref="Apply"/>, which
/// is <see cref="Merge"/>, adds just that. A home ships deltas to its backups and may join several into one with
/// <see cref="Merge"/>; anti-entropy ships full states. Every operation returns the same state as applying its delta to
/// the old one.</para>
/// <para><b>Time.</b> Nothing here reads a clock: writes take timestamps from the caller's
/// <see cref="HybridLogicalClock"/>, which must have observed the states and deltas merged here (so a write made after
/// a merge is stamped after everything merged; <see cref="NewestTimestamp"/> is what to observe), and access times come
/// in as arguments.</para>
/// </remarks>
public sealed class SessionCrdt : IEquatable<SessionCrdt>
{
    // UTC ticks rather than DateTimeOffsets (8 bytes each instead of 16): a node holds a million of these.
    private readonly long _createdTicks;
    private readonly long _lastAccessedTicks;

    // SessionDigest.Of this state, once computed (0: not yet). The state is immutable, so it never goes stale; a backup
    // and its home fingerprint every session at each anti-entropy round, and most have not changed since the last.
    private ulong _digest;

    private SessionCrdt(
        UInt128 id,
        DateTimeOffset created,
        TimeSpan maxInactiveInterval,
        DateTimeOffset lastAccessed,
        AttributeMap attributes,
        LwwRegister<SessionEndReason>? ended,
        RecentIncrements recentIncrements)
    {
        Id = id;
        _createdTicks = created.UtcTicks;
        MaxInactiveInterval = maxInactiveInterval;
        _lastAccessedTicks = lastAccessed.UtcTicks;
        Attributes = attributes;
        Ended = ended;
        RecentIncrements = recentIncrements;
    }

    /// <summary>The session id's 128 bits (this layer sits below <c>Sessions</c> and does not know its type).</summary>
    public UInt128 Id { get; }

    /// <summary>When the session was created, in UTC.</summary>
    public DateTimeOffset Created => new(_createdTicks, TimeSpan.Zero);

    /// <summary>Idle time after which the session expires; zero never expires.</summary>
    public TimeSpan MaxInactiveInterval { get; }

    /// <summary>The latest access any replica has recorded, in UTC.</summary>
    public DateTimeOffset LastAccessed => new(_lastAccessedTicks, TimeSpan.Zero);

    public AttributeMap Attributes { get; }

    /// <summary>The end tombstone and why the session ended; null while it lives.</summary>
    public LwwRegister<SessionEndReason>? Ended { get; }

    public bool IsEnded => Ended is not null;

    /// <summary>The increments applied most recently, by operation id; empty once ended.</summary>
    public RecentIncrements RecentIncrements { get; }

    /// <summary>Visible attributes; what <c>max-attributes</c> limits.</summary>
    public int AttributeCount => Attributes.Count;

    /// <summary>Removed attributes kept as tombstones (nothing collects them yet: see <see cref="AttributeMap"/>'s
    /// garbage collection); what <c>max-removed-attributes</c> limits.</summary>
    public int RemovedAttributeCount => Attributes.Entries.Length - Attributes.Count;

    /// <summary>UTF-8 bytes of visible names and values; what <c>max-session-bytes</c> limits.</summary>
    public int SizeInBytes => Attributes.SizeInBytes;

    /// <summary>The latest hybrid logical timestamp this state holds (an attribute write, a remembered increment, the
    /// garbage-collection floor or the end); <see cref="HlcTimestamp.Zero"/> for a fresh session. A single writer stamps
    /// its next write after it (<see cref="HybridLogicalClock.Next"/>), which is observing everything merged here.</summary>
    public HlcTimestamp NewestTimestamp
    {
        get
        {
            var newest = HlcTimestamp.Max(Attributes.NewestTimestamp, RecentIncrements.Newest);
            return Ended is { } end ? HlcTimestamp.Max(end.Timestamp, newest) : newest;
        }
    }

    /// <summary>A new, live session with no attributes: also the first delta to ship to backups.</summary>
    public static SessionCrdt Create(UInt128 id, DateTimeOffset created, TimeSpan maxInactiveInterval)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxInactiveInterval, TimeSpan.Zero);
        var utc = created.ToUniversalTime();
        return new SessionCrdt(id, utc, maxInactiveInterval, utc, AttributeMap.Empty, null, RecentIncrements.Empty);
    }

    /// <summary>A state as decoded from the wire; the arguments must come from a state this type made.</summary>
    public static SessionCrdt Restore(
        UInt128 id,
        DateTimeOffset created,
        TimeSpan maxInactiveInterval,
        DateTimeOffset lastAccessed,
        AttributeMap attributes,
        LwwRegister<SessionEndReason>? ended,
        RecentIncrements recentIncrements)
    {
        ArgumentNullException.ThrowIfNull(attributes);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxInactiveInterval, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThan(lastAccessed, created);
        return new SessionCrdt(
            id, created.ToUniversalTime(), maxInactiveInterval, lastAccessed.ToUniversalTime(),
            ended is null ? attributes : AttributeMap.Empty.CollectGarbage(attributes.Floor),
            ended,
            ended is null ? recentIncrements : RecentIncrements.Empty);
    }

    /// <summary>The visible value of <paramref name="name"/> (compact JSON), or null.</summary>
    public byte[]? Get(string name) => Attributes.Get(name);

    /// <summary>The visible attributes in ordinal name order (the same on every replica).</summary>
    public IReadOnlyList<KeyValuePair<string, byte[]>> VisibleAttributes() => Attributes.Visible();

    /// <summary>True once the session has been idle for its whole max inactive interval.</summary>
    public bool IsExpired(DateTimeOffset now) => MaxInactiveInterval > TimeSpan.Zero && now - LastAccessed >= MaxInactiveInterval;

    /// <summary>Sets <paramref name="name"/> to <paramref name="jsonValue"/> at <paramref name="timestamp"/>; limits are
    /// the caller's to check against <see cref="SizeInBytes"/> and <see cref="AttributeCount"/>.</summary>
    public (SessionCrdt State, SessionCrdt Delta) Set(string name, byte[] jsonValue, HlcTimestamp timestamp)
    {
        EnsureLive();
        return WithAttributes(Attributes.Set(name, jsonValue, timestamp).Delta);
    }

    /// <summary>Removes <paramref name="name"/> at <paramref name="timestamp"/>, leaving a tombstone.</summary>
    public (SessionCrdt State, SessionCrdt Delta) Remove(string name, HlcTimestamp timestamp)
    {
        EnsureLive();
        return WithAttributes(Attributes.Remove(name, timestamp).Delta);
    }

    /// <summary>Adds <paramref name="by"/> to the integer attribute <paramref name="name"/> for <paramref name="replica"/>
    /// with checked 64-bit arithmetic, once per <paramref name="operationId"/>; concurrent increments on other replicas
    /// all count.</summary>
    /// <returns>The new state, its delta (the entry and the increment's record) and the new value. For an operation
    /// this state remembers on <paramref name="name"/>, <c>Repeated</c>: this state, the value the first application
    /// left, and a delta that ships the attribute's entry and the record again (a no-op where they are, and what puts
    /// an increment that a dead home applied on a second node before its retry is answered). With a rejection: this
    /// state and an empty delta.</returns>
    public (SessionCrdt State, SessionCrdt Delta, long Value, IncrementRejection? Rejection, bool Repeated) Increment(
        string name, long by, ulong operationId, ReplicaId replica, HlcTimestamp timestamp)
    {
        EnsureLive();
        if (RecentIncrements.Find(operationId, name) is { } applied)
        {
            var entry = Attributes.Find(name);
            var shipped = entry is null ? AttributeMap.Empty : AttributeMap.Of([entry], HlcTimestamp.Zero);
            return (this, DeltaOf(shipped, Created, null, RecentIncrements), applied.Value, null, true);
        }

        var (attributes, attributesDelta, value, rejection) = Attributes.Increment(name, by, replica, timestamp);
        if (rejection is not null)
        {
            return (this, DeltaOf(AttributeMap.Empty, Created, null, RecentIncrements.Empty), 0, rejection, false);
        }

        var record = new AppliedIncrement(operationId, attributes.Find(name)!.Name, value, timestamp);
        // Every remembered increment travels with the new one, not just its own record: a counter's delta carries the
        // writer's running total, so a backup that lost an earlier delta still counts that increment from this one,
        // and without its record it would count a retry of it a second time.
        var delta = DeltaOf(attributesDelta, Created, null, RecentIncrements.Merge(RecentIncrements.Of(record)));
        return (Apply(delta), delta, value, null, false);
    }

    /// <summary>Records an access at <paramref name="now"/> (never moves <see cref="LastAccessed"/> back).</summary>
    public (SessionCrdt State, SessionCrdt Delta) Touch(DateTimeOffset now)
    {
        EnsureLive();
        var delta = DeltaOf(AttributeMap.Empty, now.ToUniversalTime() < Created ? Created : now.ToUniversalTime(), null, RecentIncrements.Empty);
        return (Apply(delta), delta);
    }

    /// <summary>The state <see cref="Touch"/> returns, without building its delta: for a read, whose access time
    /// replicas learn later, from the next write's delta or a full state. This state itself if the access is not newer.</summary>
    public SessionCrdt Accessed(DateTimeOffset now)
    {
        EnsureLive();
        var utc = now.ToUniversalTime();
        // The fingerprint leaves the last access out, so a read keeps it.
        return utc <= LastAccessed ? this : new SessionCrdt(Id, Created, MaxInactiveInterval, utc, Attributes, Ended, RecentIncrements) { _digest = _digest };
    }

    /// <summary>The fingerprint <see cref="Sharding.SessionDigest"/> computed for this state, or 0 if none yet.</summary>
    internal ulong CachedDigest
    {
        get => Volatile.Read(ref _digest);
        set => Volatile.Write(ref _digest, value);
    }

    /// <summary>Ends the session at <paramref name="timestamp"/>: its attributes go, its tombstone stays.</summary>
    public (SessionCrdt State, SessionCrdt Delta) End(SessionEndReason reason, HlcTimestamp timestamp)
    {
        var delta = DeltaOf(AttributeMap.Empty, Created, new LwwRegister<SessionEndReason>(reason, timestamp), RecentIncrements.Empty);
        return (Apply(delta), delta);
    }

    /// <summary>Drops attribute tombstones older than <paramref name="stable"/>, a timestamp before which every replica
    /// has integrated every write and which every replica's clock has passed (see <see cref="AttributeMap"/>). Local:
    /// each replica collects when told, and floors also spread with full states.</summary>
    public SessionCrdt CollectGarbage(HlcTimestamp stable)
    {
        var collected = Attributes.CollectGarbage(stable);
        return ReferenceEquals(collected, Attributes)
            ? this
            : new SessionCrdt(Id, Created, MaxInactiveInterval, LastAccessed, collected, Ended, RecentIncrements);
    }

    /// <summary>The join of two replicas (or a replica and a delta) of one session.</summary>
    /// <exception cref="ArgumentException">They are not replicas of the same session (id, creation or interval differ).</exception>
    public static SessionCrdt Merge(SessionCrdt left, SessionCrdt right)
    {
        ArgumentNullException.ThrowIfNull(left);
        ArgumentNullException.ThrowIfNull(right);
        if (left.Id != right.Id || left.Created != right.Created || left.MaxInactiveInterval != right.MaxInactiveInterval)
        {
            throw new ArgumentException(
                $"Session {left.Id:x32} (created {left.Created:O}, interval {left.MaxInactiveInterval}) cannot merge with " +
                $"session {right.Id:x32} (created {right.Created:O}, interval {right.MaxInactiveInterval}).",
                nameof(right));
        }

        var ended = left.Ended is null ? right.Ended : right.Ended is null ? left.Ended : left.Ended.Merge(right.Ended);
        // The floor still merges when ended: it is what lets an ended replica refuse stale attribute deltas.
        var attributes = ended is null
            ? left.Attributes.Merge(right.Attributes)
            : AttributeMap.Empty.CollectGarbage(HlcTimestamp.Max(left.Attributes.Floor, right.Attributes.Floor));
        var recent = ended is null ? left.RecentIncrements.Merge(right.RecentIncrements) : RecentIncrements.Empty;
        var lastAccessed = left.LastAccessed >= right.LastAccessed ? left.LastAccessed : right.LastAccessed;
        return new SessionCrdt(left.Id, left.Created, left.MaxInactiveInterval, lastAccessed, attributes, ended, recent);
    }

    /// <summary>This state with <paramref name="delta"/> merged in: the same as <see cref="Merge"/>.</summary>
    public SessionCrdt Apply(SessionCrdt delta) => Merge(this, delta);

    public bool Equals(SessionCrdt? other) =>
        other is not null &&
        Id == other.Id &&
        Created == other.Created &&
        MaxInactiveInterval == other.MaxInactiveInterval &&
        LastAccessed == other.LastAccessed &&
        Attributes.Equals(other.Attributes) &&
        Equals(Ended, other.Ended) &&
        RecentIncrements.Equals(other.RecentIncrements);

    public override bool Equals(object? obj) => Equals(obj as SessionCrdt);

    public override int GetHashCode() => HashCode.Combine(Id, LastAccessed, Attributes, Ended);

    public override string ToString() =>
        $"session {Id:x32} last accessed {LastAccessed:O}" + (Ended is { } end
            ? $", {end.Value} at {end.Timestamp}"
            : $", {Attributes}" + (RecentIncrements.IsEmpty ? string.Empty : $"; applied {RecentIncrements}"));

    /// <summary>This delta without the increment records a replica already holds, those up to
    /// <paramref name="heldThrough"/>: still a valid delta (records merge as a set), only smaller. Its sender knows what
    /// the replica holds; see <c>SessionEntity</c>.</summary>
    public SessionCrdt WithRecordsNewerThan(HlcTimestamp heldThrough)
    {
        var kept = RecentIncrements.NewerThan(heldThrough);
        return kept == RecentIncrements ? this : new SessionCrdt(Id, Created, MaxInactiveInterval, LastAccessed, Attributes, Ended, kept);
    }

    private (SessionCrdt State, SessionCrdt Delta) WithAttributes(AttributeMap attributesDelta)
    {
        var delta = DeltaOf(attributesDelta, Created, null, RecentIncrements.Empty);
        return (Apply(delta), delta);
    }

    private SessionCrdt DeltaOf(
        AttributeMap attributes, DateTimeOffset lastAccessed, LwwRegister<SessionEndReason>? ended, RecentIncrements recentIncrements) =>
        new(Id, Created, MaxInactiveInterval, lastAccessed, attributes, ended, recentIncrements);

    private void EnsureLive()
    {
        if (Ended is not null)
        {
            throw new InvalidOperationException($"Session {Id:x32} has ended ({Ended.Value} at {Ended.Timestamp}); it takes no more writes.");
        }
    }
}
