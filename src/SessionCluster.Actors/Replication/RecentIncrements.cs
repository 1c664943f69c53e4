using System.Collections.Immutable;
using System.Runtime.InteropServices;

namespace SessionCluster.Actors.Replication;

/// <summary>The increments a session applied most recently, newest first: those within <see cref="Retention"/> of the
/// newest, at most <see cref="Capacity"/>, so that a retried increment is answered with its first result instead of
/// being counted twice; merges as a CRDT.</summary>
/// <remarks>
/// <para><b>Why.</b> Sets, removes and ends are idempotent (last-writer-wins, tombstones); an increment is not. A region
/// that loses its connection to a session's home retries the command, and if the first attempt had reached the home
/// (applied, replicated to a backup, its reply lost with the home), applying the retry would count it twice. Each
/// increment therefore carries an operation id minted once where the request entered the cluster, and the session
/// remembers the ids it applied with the value each left. The records travel in the increment's delta, so a backup
/// promoted after the home died recognises what the home applied.</para>
/// <para><b>What must fit.</b> A retry follows its first attempt within the request timeout (5 s by default): the
/// region gives up on a request after that. But it may come at any point of it: a region whose reply was lost waits
/// until the home is found dead before it retries, and meanwhile the home goes on applying the session's other
/// increments. So the bound is on time, not on count: a simulation once saw a retry 2.1 s after its first attempt, behind
/// 8 newer increments (6 at the old home, 3 retried ones at the new), and the count-only memory of 8 it had then
/// counted the retry again.</para>
/// <para><b>Merge.</b> Of the union, the newest <see cref="Capacity"/> records under the total order of
/// <see cref="AppliedIncrement"/> (timestamp first), and of those only the ones whose wall time is within
/// <see cref="Retention"/> of the newest. That is a join: commutative and idempotent as a union is, and associative
/// because whether a record is kept depends only on the records newer than it, which a merge only adds to (a record
/// among the newest K of all sides is among the newest K of any part that holds it, and the newest of all sides is at
/// least as new as that of any part), so nothing an earlier merge dropped could have made the final cut. It must be the
/// same function on every node, which is why both bounds are constants of the protocol and not settings.</para>
/// <para><b>Forgetting.</b> A record leaves when an increment of the same session is applied more than
/// <see cref="Retention"/> after it, or when <see cref="Capacity"/> newer ones have been, and with the whole session
/// when it ends. A retry whose record has left is not recognised: it is applied again as a new increment (an ended
/// session answers every command with not-found anyway).</para>
/// <para><b>Size.</b> A struct around an array that stays null until the first increment, so a session that never
/// counted pays only the 8-byte reference in its state; each record is 48 bytes (the name is shared with the
/// attribute). A session that counts once a minute keeps one or two records, one counting every 5 s twelve (600 bytes); only
/// one counting more than once a second reaches the cap, 64 × 48 + 24 = 3,096 bytes.</para>
/// </remarks>
public readonly struct RecentIncrements : IEquatable<RecentIncrements>
{
    /// <summary>Most records a session keeps, however recent.</summary>
    /// <remarks>Only a session counting faster than <see cref="Capacity"/> per <see cref="Retention"/> reaches it: one
    /// user's browser keeps at most 6 connections to a host (HTTP/1.1), so 64 increments of one session inside one
    /// request timeout is far beyond what a person makes. A million sessions per node is the goal, so the bound stays.</remarks>
    public const int Capacity = 64;

    /// <summary>How much older than the newest record, in wall time, a record may be and still be kept.</summary>
    /// <remarks>A retry comes within <c>sessions.request-timeout</c> (5 s by default) of its first attempt, and the
    /// records' wall times come from the clocks of the homes that applied them, which may differ a little: a minute covers
    /// both with room to spare, and <c>request-timeout</c> is refused above <see cref="MaxRequestTimeout"/>.</remarks>
    public static readonly TimeSpan Retention = TimeSpan.FromMinutes(1);

    /// <summary>The longest request timeout under which a retry is still recognised (half of <see cref="Retention"/>,
    /// the other half left to clock differences between homes).</summary>
    public static readonly TimeSpan MaxRequestTimeout = Retention / 2;

    // Null when empty (default(RecentIncrements) is the empty memory); never longer than Capacity; strictly descending;
    // nothing older than Retention before the first.
    private readonly AppliedIncrement[]? _newestFirst;

    [ThreadStatic]
    private static AppliedIncrement[]? t_scratch;

    private RecentIncrements(AppliedIncrement[] newestFirst) => _newestFirst = newestFirst.Length == 0 ? null : newestFirst;

    /// <summary>No records: the memory of a session that never counted.</summary>
    public static RecentIncrements Empty => default;

    public bool IsEmpty => _newestFirst is null;

    public int Count => _newestFirst?.Length ?? 0;

    /// <summary>The records, newest first.</summary>
    public ImmutableArray<AppliedIncrement> Entries => ImmutableCollectionsMarshal.AsImmutableArray(_newestFirst ?? []);

    /// <summary>The newest record's timestamp; <see cref="HlcTimestamp.Zero"/> when empty.</summary>
    public HlcTimestamp Newest => _newestFirst is [var newest, ..] ? newest.Timestamp : HlcTimestamp.Zero;

    /// <summary>The memory holding what it keeps of <paramref name="increments"/> (duplicates once): the newest
    /// <see cref="Capacity"/>, within <see cref="Retention"/> of the newest.</summary>
    /// <exception cref="ArgumentException">A record has no name.</exception>
    public static RecentIncrements Of(IEnumerable<AppliedIncrement> increments)
    {
        ArgumentNullException.ThrowIfNull(increments);
        var newestFirst = increments.Distinct().OrderDescending().Take(Capacity).ToArray();
        newestFirst = newestFirst[..Retained(newestFirst)];
        foreach (var increment in newestFirst)
        {
            ArgumentException.ThrowIfNullOrEmpty(increment.Name, nameof(increments));
        }

        return new RecentIncrements(newestFirst);
    }

    /// <summary>What <see cref="Of(IEnumerable{AppliedIncrement})"/> keeps of <paramref name="newestFirst"/>, for records
    /// already distinct, in strictly descending order and at most <see cref="Capacity"/> (as decoding checks them): only
    /// the retention rule is applied. Takes the array over.</summary>
    /// <exception cref="ArgumentException">The records are not so, or one has no name.</exception>
    internal static RecentIncrements OfNewestFirst(AppliedIncrement[] newestFirst)
    {
        ArgumentNullException.ThrowIfNull(newestFirst);
        if (newestFirst.Length > Capacity)
        {
            throw new ArgumentException($"{newestFirst.Length} records; at most {Capacity}.", nameof(newestFirst));
        }

        for (var i = 0; i < newestFirst.Length; i++)
        {
            ArgumentException.ThrowIfNullOrEmpty(newestFirst[i].Name, nameof(newestFirst));
            if (i > 0 && newestFirst[i - 1].CompareTo(newestFirst[i]) <= 0)
            {
                throw new ArgumentException("The records are not in strictly descending order.", nameof(newestFirst));
            }
        }

        var kept = Retained(newestFirst);
        return new RecentIncrements(kept == newestFirst.Length ? newestFirst : newestFirst[..kept]);
    }

    /// <summary>The memory holding just <paramref name="increment"/>: an increment's delta.</summary>
    public static RecentIncrements Of(AppliedIncrement increment)
    {
        ArgumentException.ThrowIfNullOrEmpty(increment.Name, nameof(increment));
        return new RecentIncrements([increment]);
    }

    /// <summary>The records newer than <paramref name="timestamp"/>: what a replica that holds every record up to it lacks.</summary>
    public RecentIncrements NewerThan(HlcTimestamp timestamp)
    {
        if (_newestFirst is not { } records || records[^1].Timestamp > timestamp)
        {
            return this;
        }

        var count = 0;
        while (count < records.Length && records[count].Timestamp > timestamp)
        {
            count++;
        }

        return count == 0 ? Empty : new RecentIncrements(records[..count]);
    }

    /// <summary>The record of operation <paramref name="operationId"/> on <paramref name="name"/>, or null if it is not
    /// remembered. The name must match too: an id that names another attribute is not the same operation.</summary>
    public AppliedIncrement? Find(ulong operationId, string name)
    {
        foreach (var increment in _newestFirst ?? [])
        {
            if (increment.OperationId == operationId && string.Equals(increment.Name, name, StringComparison.Ordinal))
            {
                return increment;
            }
        }

        return null;
    }

    /// <summary>What is kept of the records of both: the join (see the remarks).</summary>
    public RecentIncrements Merge(RecentIncrements other)
    {
        if (other._newestFirst is not { } theirs || ReferenceEquals(theirs, _newestFirst))
        {
            return this;
        }

        if (_newestFirst is not { } mine)
        {
            return other;
        }

        // The join is built in a scratch first: it is often one side already (a delta merged into the state that made
        // it, or into a backup that was up to date), and then that side's array is the result. A counting session keeps
        // Capacity records, so a copy that was not needed cost 3 KB per increment on the home and on each backup.
        var merged = t_scratch ??= new AppliedIncrement[Capacity];
        int i = 0, j = 0, count = 0;
        while (count < Capacity && (i < mine.Length || j < theirs.Length))
        {
            var order = i == mine.Length ? -1 : j == theirs.Length ? 1 : mine[i].CompareTo(theirs[j]);
            merged[count++] = order >= 0 ? mine[i] : theirs[j];
            i += order >= 0 ? 1 : 0;
            j += order <= 0 ? 1 : 0;
        }

        var join = merged.AsSpan(0, Retained(merged.AsSpan(0, count)));
        var result = join.SequenceEqual(mine) ? this : join.SequenceEqual(theirs) ? other : new RecentIncrements(join.ToArray());
        merged.AsSpan(0, count).Clear();   // holds names only while merging
        return result;
    }

    /// <summary>How many of <paramref name="newestFirst"/> (sorted, newest first) are within <see cref="Retention"/> of
    /// the first: a prefix, as wall time orders the records first.</summary>
    private static int Retained(ReadOnlySpan<AppliedIncrement> newestFirst)
    {
        if (newestFirst.IsEmpty)
        {
            return 0;
        }

        // Saturating: a wall time at the bottom of the range keeps everything rather than wrapping around.
        var newest = newestFirst[0].Timestamp.WallTicks;
        var oldest = newest < long.MinValue + Retention.Ticks ? long.MinValue : newest - Retention.Ticks;
        var kept = 1;
        while (kept < newestFirst.Length && newestFirst[kept].Timestamp.WallTicks >= oldest)
        {
            kept++;
        }

        return kept;
    }

    public bool Equals(RecentIncrements other) => (_newestFirst ?? []).AsSpan().SequenceEqual(other._newestFirst ?? []);

    public override bool Equals(object? obj) => obj is RecentIncrements other && Equals(other);

    public override int GetHashCode()
    {
        var hash = new HashCode();
        foreach (var increment in _newestFirst ?? [])
        {
            hash.Add(increment);
        }

        return hash.ToHashCode();
    }

    public static bool operator ==(RecentIncrements left, RecentIncrements right) => left.Equals(right);

    public static bool operator !=(RecentIncrements left, RecentIncrements right) => !left.Equals(right);

    public override string ToString() => "[" + string.Join(", ", _newestFirst ?? []) + "]";
}
