using System.Buffers.Text;
using System.Globalization;
using System.Text;

namespace SessionCluster.Actors.Replication;

/// <summary>One attribute of a replicated session: its base (the last Set or Remove) plus the increments made on it.</summary>
/// <remarks>
/// <para>The base is a last-writer-wins register (kept as its two fields, <see cref="BaseValue"/> and
/// <see cref="BaseTimestamp"/>, not as an <see cref="LwwRegister{T}"/> object: a million sessions hold a million of
/// them) holding compact JSON bytes, or null for a tombstone. The increments are a <see cref="PNCounter"/> that belongs
/// to that base: a merge keeps the base with the later timestamp and only the increments made on it, so a Set or
/// Remove supersedes every increment made on an older base, including increments concurrent with it, and increments
/// made on one base by several replicas all count.</para>
/// <para>The visible value: none for a bare tombstone (a removed attribute nobody incremented since); the base's bytes
/// when nothing was incremented; otherwise the base as an integer (a tombstone counts as 0) plus the counter, written
/// as a JSON integer. That sum can pass 64 bits only when replicas incremented concurrently near the limit; it is then
/// written exactly (still a JSON integer), and increments that would leave it outside 64 bits are refused as overflow.</para>
/// <para><see cref="LastWrite"/> is the timestamp of the latest write the entry holds (its base or an increment on
/// it). Garbage collection needs it: see <see cref="AttributeMap"/>.</para>
/// </remarks>
public sealed class AttributeEntry : IEquatable<AttributeEntry>
{
    // Null for a plain value or removal, the common case: what only counting needs lives in a second object, so a
    // session of plain values does not pay 32 bytes per attribute for it.
    private readonly CountedPart? _counted;

    /// <summary>An entry; <paramref name="lastWrite"/> (the latest increment's timestamp) is raised to the base's if earlier.</summary>
    public AttributeEntry(string name, byte[]? baseValue, HlcTimestamp baseTimestamp, PNCounter increments, HlcTimestamp lastWrite)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(increments);
        Name = name;
        BaseValue = baseValue;
        BaseTimestamp = baseTimestamp;
        if (!increments.IsEmpty || lastWrite > baseTimestamp)
        {
            _counted = new CountedPart(increments, HlcTimestamp.Max(lastWrite, baseTimestamp));
        }
    }

    public string Name { get; }

    /// <summary>The last Set's JSON bytes, or null when the last base write was a Remove.</summary>
    public byte[]? BaseValue { get; }

    /// <summary>When the base (the last Set or Remove) was written.</summary>
    public HlcTimestamp BaseTimestamp { get; }

    /// <summary>The increments made on the base.</summary>
    public PNCounter Increments => _counted?.Increments ?? PNCounter.Empty;

    /// <summary>The timestamp of the latest write held here: the base's, or a later increment's on that base.</summary>
    public HlcTimestamp LastWrite => _counted?.LastWrite ?? BaseTimestamp;

    /// <summary>Removed and not incremented since: invisible, kept only to beat older writes; what garbage collection drops.</summary>
    public bool IsTombstone => BaseValue is null && Increments.IsEmpty;

    /// <summary>The value a reader sees (compact JSON), or null when the attribute is removed.</summary>
    /// <remarks>With increments it is never null, so null in the cache means "not computed yet"; a race computes equal
    /// bytes twice, which is harmless.</remarks>
    public byte[]? VisibleValue => _counted is not { Increments.IsEmpty: false } counted ? BaseValue : counted.Visible ??= CountedValue();

    /// <summary>UTF-8 bytes of the name and the visible value (the measure of <c>max-session-bytes</c>); 0 when removed.</summary>
    public int SizeInBytes => VisibleValue is { } value ? Encoding.UTF8.GetByteCount(Name) + value.Length : 0;

    /// <summary>The visible value as an integer: a tombstone is 0; false if it is JSON of another kind.</summary>
    public bool TryReadInteger(out Int128 value)
    {
        value = 0;
        long @base = 0;
        if (BaseValue is { } bytes && !TryReadLong(bytes, out @base))
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

        var order = left.BaseTimestamp.CompareTo(right.BaseTimestamp);
        if (order != 0)
        {
            return order > 0 ? left : right;
        }

        var increments = left.Increments.Merge(right.Increments);
        var lastWrite = HlcTimestamp.Max(left.LastWrite, right.LastWrite);
        return ReferenceEquals(increments, left.Increments) && lastWrite == left.LastWrite ? left
            : ReferenceEquals(increments, right.Increments) && lastWrite == right.LastWrite ? right
            : new AttributeEntry(left.Name, left.BaseValue, left.BaseTimestamp, increments, lastWrite);
    }

    public bool Equals(AttributeEntry? other) =>
        other is not null &&
        string.Equals(Name, other.Name, StringComparison.Ordinal) &&
        BaseTimestamp == other.BaseTimestamp &&
        LastWrite == other.LastWrite &&
        (BaseValue ?? []).AsSpan().SequenceEqual(other.BaseValue ?? []) &&
        (BaseValue is null) == (other.BaseValue is null) &&
        Increments.Equals(other.Increments);

    public override bool Equals(object? obj) => Equals(obj as AttributeEntry);

    public override int GetHashCode() => HashCode.Combine(Name, BaseTimestamp, Increments);

    public override string ToString() =>
        $"{Name} = {(BaseValue is null ? "(removed)" : Encoding.UTF8.GetString(BaseValue))} at {BaseTimestamp}" +
        (Increments.IsEmpty ? string.Empty : $" + {Increments} (last {LastWrite})");

    /// <summary>A JSON integer (no fraction or exponent) that fits a signed 64-bit number, and nothing else.</summary>
    internal static bool TryReadLong(ReadOnlySpan<byte> utf8, out long value) =>
        Utf8Parser.TryParse(utf8, out value, out var consumed) && consumed == utf8.Length;

    /// <summary>What an entry holds beyond its base once something was counted on it.</summary>
    private sealed class CountedPart(PNCounter increments, HlcTimestamp lastWrite)
    {
        public PNCounter Increments { get; } = increments;

        public HlcTimestamp LastWrite { get; } = lastWrite;

        /// <summary>The visible value, computed on first read.</summary>
        public byte[]? Visible { get; set; }
    }

    private byte[] CountedValue() =>
        // A base that is not an integer cannot have increments in a state built by operations (Increment refuses it);
        // showing the base keeps the view deterministic should one arrive anyway.
        TryReadInteger(out var sum) ? Encoding.UTF8.GetBytes(sum.ToString(CultureInfo.InvariantCulture)) : BaseValue!;
}
