using System.Globalization;

namespace SessionCluster.Actors.Replication;

/// <summary>One increment a session applied: its operation id, the attribute, the value it left and when it was
/// applied; what <see cref="RecentIncrements"/> remembers so that a retry of it is answered instead of applied again.</summary>
/// <remarks>Ordered by <see cref="Timestamp"/>, then by the other fields, so that the order is total over distinct
/// records even if two ever shared a timestamp (a writer never stamps two writes alike, so none built by operations do).</remarks>
/// <param name="OperationId">The random id the command was minted with where it entered the cluster.</param>
/// <param name="Name">The attribute incremented.</param>
/// <param name="Value">The attribute's value right after the increment: what the first reply said.</param>
/// <param name="Timestamp">The increment's write timestamp.</param>
public readonly record struct AppliedIncrement(ulong OperationId, string Name, long Value, HlcTimestamp Timestamp)
    : IComparable<AppliedIncrement>
{
    public int CompareTo(AppliedIncrement other)
    {
        var order = Timestamp.CompareTo(other.Timestamp);
        if (order == 0)
        {
            order = OperationId.CompareTo(other.OperationId);
        }

        if (order == 0)
        {
            order = string.CompareOrdinal(Name, other.Name);
        }

        return order != 0 ? order : Value.CompareTo(other.Value);
    }

    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"{OperationId:x16} {Name} = {Value} at {Timestamp}");
}
