using System.Collections.Immutable;
using System.Runtime.InteropServices;

namespace SessionCluster.Actors.Replication;

/// <summary>The increments a session applied most recently, newest first and at most <see cref="Capacity"/>, so that a
/// retried increment is answered with its first result instead of being counted twice; merges as a CRDT.</summary>
/// <remarks>
/// <para><b>Why.</b> Sets, removes and ends are idempotent (last-writer-wins, tombstones); an increment is not. A region
/// that loses its connection to a session's home retries the command, and if the first attempt had reached the home
/// (applied, replicated to a backup, its reply lost with the home), applying the retry would count it twice. Each
/// increment therefore carries an operation id minted once where the request entered the cluster, and the session
/// remembers the ids it applied with the value each left. The records travel in the increment's delta, so a backup
/// promoted after the home died recognises what the home applied.</para>
/// <para><b>Merge.</b> The newest <see cref="Capacity"/> records of the union, under the total order of
/// <see cref="AppliedIncrement"/> (timestamp first). That is a join: commutative and idempotent as a union is, and
/// associative because a record among the newest K of all sides is among the newest K of any part that holds it, so
/// nothing an earlier merge dropped could have made the final cut. It must be the same function on every node, which
/// is why <see cref="Capacity"/> is a constant of the protocol and not a setting.</para>
/// <para><b>Forgetting.</b> A record leaves when <see cref="Capacity"/> newer increments of the same session have been
/// applied, and with the whole session when it ends. A retry whose record has left is not recognised: it is applied
/// again as a new increment (an ended session answers every command with not-found anyway). The bound only has to
/// outlast a retry: see <see cref="Capacity"/>.</para>
/// <para><b>Size.</b> A struct around an array that stays null until the first increment, so a session that never
/// counted pays only the 8-byte reference in its state; each record is 48 bytes (the name is shared with the
/// attribute), so a full memory costs 8 × 48 + 24 = 408 bytes.</para>
/// </remarks>
public readonly struct RecentIncrements : IEquatable<RecentIncrements>
{
    /// <summary>How many records a session keeps.</summary>
    /// <remarks>A retry follows its first attempt within the request timeout (5 s by default): it is sent when the
    /// home's connection is refused or times out, while the session has no home to apply anything else. So what must
    /// fit between a record and its retry is the session's other increments in flight at the same moment, plus the few
    /// that reach the new home first; one user's browser keeps at most 6 connections to a host (HTTP/1.1), and 8
    /// leaves room over that. Each record costs a session that counts 48 bytes: a full memory (408 bytes) is already
    /// about as large as a small session's own state, and a million sessions per node is the goal.</remarks>
    public const int Capacity = 8;

    // Null when empty (default(RecentIncrements) is the empty memory); never longer than Capacity; strictly descending.
    private readonly AppliedIncrement[]? _newestFirst;

    private RecentIncrements(AppliedIncrement[] newestFirst) => _newestFirst = newestFirst.Length == 0 ? null : newestFirst;

    /// <summary>No records: the memory of a session that never counted.</summary>
    public static RecentIncrements Empty => default;

    public bool IsEmpty => _newestFirst is null;

    public int Count => _newestFirst?.Length ?? 0;

    /// <summary>The records, newest first.</summary>
    public ImmutableArray<AppliedIncrement> Entries => ImmutableCollectionsMarshal.AsImmutableArray(_newestFirst ?? []);

    /// <summary>The newest record's timestamp; <see cref="HlcTimestamp.Zero"/> when empty.</summary>
    public HlcTimestamp Newest => _newestFirst is [var newest, ..] ? newest.Timestamp : HlcTimestamp.Zero;

    /// <summary>The memory holding the newest <see cref="Capacity"/> of <paramref name="increments"/> (duplicates once).</summary>
    /// <exception cref="ArgumentException">A record has no name.</exception>
    public static RecentIncrements Of(IEnumerable<AppliedIncrement> increments)
    {
        ArgumentNullException.ThrowIfNull(increments);
        var newestFirst = increments.Distinct().OrderDescending().Take(Capacity).ToArray();
        foreach (var increment in newestFirst)
        {
            ArgumentException.ThrowIfNullOrEmpty(increment.Name, nameof(increments));
        }

        return new RecentIncrements(newestFirst);
    }

    /// <summary>The memory holding just <paramref name="increment"/>: an increment's delta.</summary>
    public static RecentIncrements Of(AppliedIncrement increment)
    {
        ArgumentException.ThrowIfNullOrEmpty(increment.Name, nameof(increment));
        return new RecentIncrements([increment]);
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

    /// <summary>The newest <see cref="Capacity"/> records of both: the join (see the remarks).</summary>
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

        var merged = new AppliedIncrement[Math.Min(Capacity, mine.Length + theirs.Length)];
        int i = 0, j = 0, count = 0;
        while (count < merged.Length && (i < mine.Length || j < theirs.Length))
        {
            var order = i == mine.Length ? -1 : j == theirs.Length ? 1 : mine[i].CompareTo(theirs[j]);
            merged[count++] = order >= 0 ? mine[i] : theirs[j];
            i += order >= 0 ? 1 : 0;
            j += order <= 0 ? 1 : 0;
        }

        // Merging what this side already holds (a delta it applied, an equal replica) allocates nothing in the end.
        if (merged.AsSpan(0, count).SequenceEqual(mine))
        {
            return this;
        }

        return new RecentIncrements(count == merged.Length ? merged : merged[..count]);
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
