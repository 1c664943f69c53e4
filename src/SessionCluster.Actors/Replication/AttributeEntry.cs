using System.Buffers.Text;
using System.Globalization;
using System.Text;

namespace SessionCluster.Actors.Replication;

/// <summary>One attribute of a replicated session: its base (the last Set or Remove) plus the increments made on it.</summary>
/// <remarks>
/// <para>The base is a last-writer-wins register holding compact JSON bytes, or null for a tombstone. The increments
/// are a <see cref="PNCounter"/> that belongs to that base: a merge keeps the base with the later timestamp and only
/// the increments made on it, so a Set or Remove supersedes every increment made on an older base, including
/// increments concurrent with it, and increments made on one base by several replicas all count.</para>
/// <para>The visible value: none for a bare tombstone (a removed attribute nobody incremented since); the base's bytes
/// when nothing was incremented; otherwise the base as an integer (a tombstone counts as 0) plus the counter, written
/// as a JSON integer. That sum can pass 64 bits only when replicas incremented concurrently near the limit; it is then
/// written exactly (still a JSON integer), and increments that would leave it outside 64 bits are refused as overflow.</para>
/// <para><see cref="LastWrite"/> is the timestamp of the latest write the entry holds (its base or an increment on
/// it). Garbage collection needs it: see <see cref="AttributeMap"/>.</para>
/// </remarks>
public sealed class AttributeEntry : IEquatable<AttributeEntry>
{
    private byte[]? _visible;
    private bool _visibleKnown;

    /// <summary>An entry; <paramref name="lastWrite"/> (the latest increment's timestamp) is raised to the base's if earlier.</summary>
    public AttributeEntry(string name, LwwRegister<byte[]?> @base, PNCounter increments, HlcTimestamp lastWrite)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(@base);
        ArgumentNullException.ThrowIfNull(increments);
        Name = name;
        Base = @base;
        Increments = increments;
        LastWrite = HlcTimestamp.Max(lastWrite, @base.Timestamp);
    }

    public string Name { get; }

    /// <summary>The last Set (JSON bytes) or Remove (null) and its timestamp.</summary>
    public LwwRegister<byte[]?> Base { get; }

    /// <summary>The increments made on <see cref="Base"/>.</summary>
    public PNCounter Increments { get; }

    /// <summary>The timestamp of the latest write held here: the base's, or a later increment's on that base.</summary>
    public HlcTimestamp LastWrite { get; }

    /// <summary>Removed and not incremented since: invisible, kept only to beat older writes; what garbage collection drops.</summary>
    public bool IsTombstone => Base.Value is null && Increments.IsEmpty;

    /// <summary>The value a reader sees (compact JSON), or null when the attribute is removed.</summary>
    public byte[]? VisibleValue
    {
        get
        {
            // Computed once per immutable entry; a race computes equal bytes twice, which is harmless.
            if (!_visibleKnown)
            {
                _visible = ComputeVisible();
                _visibleKnown = true;
            }

            return _visible;
        }
    }

    /// <summary>UTF-8 bytes of the name and the visible value (the measure of <c>max-session-bytes</c>); 0 when removed.</summary>
    public int SizeInBytes => VisibleValue is { } value ? Encoding.UTF8.GetByteCount(Name) + value.Length : 0;

    /// <summary>The visible value as an integer: a tombstone is 0; false if it is JSON of another kind.</summary>
    public bool TryReadInteger(out Int128 value)
    {
        value = 0;
        long @base = 0;
        if (Base.Value is { } bytes && !TryReadLong(bytes, out @base))
        {
            return false;
        }

        value = @base + Increments.Value;
        return true;
    }

    /// <summary>The merge of two entries for one name: the later base with its own increments, or, for the same base,
    /// the merged increments (and the later <see cref="LastWrite"/>).</summary>
    public static AttributeEntry Merge(AttributeEntry left, AttributeEntry right)
    {
        ArgumentNullException.ThrowIfNull(left);
        ArgumentNullException.ThrowIfNull(right);
        if (!string.Equals(left.Name, right.Name, StringComparison.Ordinal))
        {
            throw new ArgumentException($"Cannot merge attribute '{left.Name}' with attribute '{right.Name}'.", nameof(right));
        }

        var order = left.Base.Timestamp.CompareTo(right.Base.Timestamp);
        if (order != 0)
        {
            return order > 0 ? left : right;
        }

        var increments = left.Increments.Merge(right.Increments);
        var lastWrite = HlcTimestamp.Max(left.LastWrite, right.LastWrite);
        return ReferenceEquals(increments, left.Increments) && lastWrite == left.LastWrite ? left
            : ReferenceEquals(increments, right.Increments) && lastWrite == right.LastWrite ? right
            : new AttributeEntry(left.Name, left.Base, increments, lastWrite);
    }

    public bool Equals(AttributeEntry? other) =>
        other is not null &&
        string.Equals(Name, other.Name, StringComparison.Ordinal) &&
        Base.Timestamp == other.Base.Timestamp &&
        LastWrite == other.LastWrite &&
        (Base.Value ?? []).AsSpan().SequenceEqual(other.Base.Value ?? []) &&
        (Base.Value is null) == (other.Base.Value is null) &&
        Increments.Equals(other.Increments);

    public override bool Equals(object? obj) => Equals(obj as AttributeEntry);

    public override int GetHashCode() => HashCode.Combine(Name, Base.Timestamp, Increments);

    public override string ToString() =>
        $"{Name} = {(Base.Value is null ? "(removed)" : Encoding.UTF8.GetString(Base.Value))} at {Base.Timestamp}" +
        (Increments.IsEmpty ? string.Empty : $" + {Increments} (last {LastWrite})");

    /// <summary>A JSON integer (no fraction or exponent) that fits a signed 64-bit number, and nothing else.</summary>
    internal static bool TryReadLong(ReadOnlySpan<byte> utf8, out long value) =>
        Utf8Parser.TryParse(utf8, out value, out var consumed) && consumed == utf8.Length;

    private byte[]? ComputeVisible()
    {
        if (Increments.IsEmpty)
        {
            return Base.Value;
        }

        // A base that is not an integer cannot have increments in a state built by operations (Increment refuses it);
        // showing the base keeps the view deterministic should one arrive anyway.
        return TryReadInteger(out var sum) ? Encoding.UTF8.GetBytes(sum.ToString(CultureInfo.InvariantCulture)) : Base.Value;
    }
}
