using System.Collections.Immutable;
using Google.Protobuf.Collections;
using SessionCluster.Actors.Remoting;

namespace SessionCluster.Actors.Membership;

/// <summary>Maps a <see cref="Gossip"/> to and from its wire form: an address table and a role table, with members,
/// tombstones, reachability, the version vector and "seen by" referring to them by index (see
/// <c>Protos/membership.proto</c> for why).</summary>
/// <remarks>
/// The encoder writes both tables sorted and only with entries something refers to, so equal gossips give equal bytes.
/// The decoder rebuilds the gossip only from parts that already obey every rule the <see cref="Gossip"/> constructor
/// would otherwise enforce by dropping data (no tombstoned incarnation among members, seen-by or reachability; version
/// entries only for members and tombstones): a gossip that breaks one was not written by a correct node, so it is
/// rejected with <see cref="InvalidDataException"/> rather than silently trimmed into a different gossip.
/// </remarks>
internal static class GossipWireFormat
{
    /// <summary>The wire form of <paramref name="gossip"/>.</summary>
    public static Wire.Gossip ToWire(Gossip gossip)
    {
        ArgumentNullException.ThrowIfNull(gossip);
        var mentioned = new SortedSet<UniqueAddress>(gossip.Members.Keys);
        mentioned.UnionWith(gossip.Tombstones.Keys);
        mentioned.UnionWith(gossip.Version.Entries.Keys);
        mentioned.UnionWith(gossip.SeenBy);
        foreach (var observer in gossip.Reachability.Observers)
        {
            mentioned.Add(observer);
            mentioned.UnionWith(gossip.Reachability.UnreachableBy(observer));
        }

        var roles = new SortedSet<string>(gossip.Members.Values.SelectMany(member => member.Roles), StringComparer.Ordinal);
        var addressIndex = IndexOf(mentioned);
        var roleIndex = IndexOf(roles);

        var wire = new Wire.Gossip();
        wire.Addresses.AddRange(mentioned.Select(MembershipWireFormat.ToWire));
        wire.Roles.AddRange(roles);
        foreach (var member in gossip.Members.Values)
        {
            var entry = new Wire.Member
            {
                AddressIndex = addressIndex[member.UniqueAddress],
                Status = StatusToWire(member.Status),
                UpNumber = (uint)member.UpNumber,
                Route = MembershipWireFormat.RouteToWire(member.Route),
            };
            entry.RoleIndexes.AddRange(member.Roles.Select(role => roleIndex[role]));
            wire.Members.Add(entry);
        }

        foreach (var (node, removedAt) in gossip.Tombstones)
        {
            wire.Tombstones.Add(new Wire.Tombstone { AddressIndex = addressIndex[node], RemovedAtUtcTicks = removedAt.UtcTicks });
        }

        foreach (var observer in gossip.Reachability.Observers)
        {
            var row = new Wire.ReachabilityRow { ObserverIndex = addressIndex[observer], Version = (ulong)gossip.Reachability.VersionOf(observer) };
            row.UnreachableIndexes.AddRange(gossip.Reachability.UnreachableBy(observer).Select(subject => addressIndex[subject]));
            row.RefusedIndexes.AddRange(gossip.Reachability.RefusedBy(observer).Select(subject => addressIndex[subject]));
            wire.Reachability.Add(row);
        }

        foreach (var (node, count) in gossip.Version.Entries)
        {
            wire.Version.Add(new Wire.VersionEntry { AddressIndex = addressIndex[node], Count = (ulong)count });
        }

        wire.SeenBy.AddRange(gossip.SeenBy.Select(node => addressIndex[node]));
        return wire;
    }

    /// <summary>The gossip <paramref name="wire"/> describes; <paramref name="field"/> names it in errors.</summary>
    /// <exception cref="InvalidDataException">The wire form is malformed; the message names the field.</exception>
    public static Gossip FromWire(Wire.Gossip? wire, WireField field)
    {
        if (wire is null)
        {
            throw MembershipWireFormat.Malformed(field, "is missing");
        }

        var addresses = ReadAddresses(wire.Addresses, field.Then("addresses"));
        var roles = ReadRoles(wire.Roles, field.Then("roles"));
        var table = new AddressTable(addresses);

        var members = ImmutableSortedDictionary.CreateBuilder<UniqueAddress, Member>();
        for (var i = 0; i < wire.Members.Count; i++)
        {
            var entry = wire.Members[i];
            var at = field.Then("members", i);
            var node = table.At(entry.HasAddressIndex, entry.AddressIndex, at.Then("address_index"));
            if (members.ContainsKey(node))
            {
                throw MembershipWireFormat.Malformed(at, $"repeats the member {node}");
            }

            var status = StatusFromWire(entry.Status, at.Then("status"));
            if (entry.UpNumber > int.MaxValue)
            {
                throw MembershipWireFormat.Malformed(at.Then("up_number"), $"is {entry.UpNumber}, above {int.MaxValue}");
            }

            var memberRoles = Distinct(entry.RoleIndexes, at.Then("role_indexes"), index => index < roles.Length ? roles[index] : null, "role table", roles.Length);
            var route = MembershipWireFormat.RouteFromWire(entry.Route, at.Then("route"));
            members.Add(node, new Member(node, status, memberRoles, (int)entry.UpNumber, route));
        }

        var tombstones = ImmutableSortedDictionary.CreateBuilder<UniqueAddress, DateTimeOffset>();
        for (var i = 0; i < wire.Tombstones.Count; i++)
        {
            var entry = wire.Tombstones[i];
            var at = field.Then("tombstones", i);
            var node = table.At(entry.HasAddressIndex, entry.AddressIndex, at.Then("address_index"));
            if (tombstones.ContainsKey(node))
            {
                throw MembershipWireFormat.Malformed(at, $"repeats the tombstone of {node}");
            }

            if (members.ContainsKey(node))
            {
                throw MembershipWireFormat.Malformed(at, $"tombstones {node}, which is also a member");
            }

            if (!entry.HasRemovedAtUtcTicks)
            {
                throw MembershipWireFormat.Malformed(at.Then("removed_at_utc_ticks"), "is missing");
            }

            if (entry.RemovedAtUtcTicks is < 0 || entry.RemovedAtUtcTicks > DateTimeOffset.MaxValue.UtcTicks)
            {
                throw MembershipWireFormat.Malformed(at.Then("removed_at_utc_ticks"), $"is {entry.RemovedAtUtcTicks}, outside 0 to {DateTimeOffset.MaxValue.UtcTicks}");
            }

            tombstones.Add(node, new DateTimeOffset(entry.RemovedAtUtcTicks, TimeSpan.Zero));
        }

        var rows = new List<(UniqueAddress Observer, long Version, IEnumerable<UniqueAddress> Unreachable, IEnumerable<UniqueAddress> Refused)>();
        var observers = new HashSet<UniqueAddress>();
        for (var i = 0; i < wire.Reachability.Count; i++)
        {
            var entry = wire.Reachability[i];
            var at = field.Then("reachability", i);
            var observer = table.At(entry.HasObserverIndex, entry.ObserverIndex, at.Then("observer_index"));
            if (!observers.Add(observer))
            {
                throw MembershipWireFormat.Malformed(at, $"repeats the row of observer {observer}");
            }

            NotTombstoned(tombstones, observer, at.Then("observer_index"));
            var rowVersion = Count(entry.Version, at.Then("version"));
            var subjects = Distinct(entry.UnreachableIndexes, at.Then("unreachable_indexes"), table.Find, "address table", addresses.Length);
            foreach (var subject in subjects)
            {
                NotTombstoned(tombstones, subject, at.Then("unreachable_indexes"));
            }

            var refused = Distinct(entry.RefusedIndexes, at.Then("refused_indexes"), table.Find, "address table", addresses.Length);
            if (refused.FirstOrDefault(subject => !subjects.Contains(subject)) is { } stray)
            {
                throw MembershipWireFormat.Malformed(at.Then("refused_indexes"), $"names {stray}, which the row does not report unreachable");
            }

            rows.Add((observer, rowVersion, subjects, refused));
        }

        var version = new List<KeyValuePair<UniqueAddress, long>>();
        var versioned = new HashSet<UniqueAddress>();
        for (var i = 0; i < wire.Version.Count; i++)
        {
            var entry = wire.Version[i];
            var at = field.Then("version", i);
            var node = table.At(entry.HasAddressIndex, entry.AddressIndex, at.Then("address_index"));
            if (!versioned.Add(node))
            {
                throw MembershipWireFormat.Malformed(at, $"repeats the version entry of {node}");
            }

            if (!members.ContainsKey(node) && !tombstones.ContainsKey(node))
            {
                throw MembershipWireFormat.Malformed(at, $"counts changes of {node}, which is neither a member nor tombstoned");
            }

            version.Add(new(node, Count(entry.Count, at.Then("count"))));
        }

        var seenBy = Distinct(wire.SeenBy, field.Then("seen_by"), table.Find, "address table", addresses.Length);
        foreach (var node in seenBy)
        {
            NotTombstoned(tombstones, node, field.Then("seen_by"));
        }

        return new Gossip(
            members.ToImmutable(),
            tombstones.ToImmutable(),
            Reachability.FromRows(rows),
            GossipVersion.Of(version),
            [.. seenBy]);
    }

    internal static Wire.MemberStatus StatusToWire(MemberStatus status) => status switch
    {
        MemberStatus.Joining => Wire.MemberStatus.Joining,
        MemberStatus.Up => Wire.MemberStatus.Up,
        MemberStatus.Leaving => Wire.MemberStatus.Leaving,
        MemberStatus.Exiting => Wire.MemberStatus.Exiting,
        MemberStatus.Down => Wire.MemberStatus.Down,
        MemberStatus.Removed => Wire.MemberStatus.Removed,
        _ => throw new ArgumentOutOfRangeException(nameof(status), status, "Not a member status."),
    };

    internal static MemberStatus StatusFromWire(Wire.MemberStatus status, WireField field) => status switch
    {
        Wire.MemberStatus.Joining => MemberStatus.Joining,
        Wire.MemberStatus.Up => MemberStatus.Up,
        Wire.MemberStatus.Leaving => MemberStatus.Leaving,
        Wire.MemberStatus.Exiting => MemberStatus.Exiting,
        Wire.MemberStatus.Down => MemberStatus.Down,
        Wire.MemberStatus.Removed => MemberStatus.Removed,
        Wire.MemberStatus.Unspecified => throw MembershipWireFormat.Malformed(field, "is missing"),
        _ => throw MembershipWireFormat.Malformed(field, $"is {(int)status}, not a known member status"),
    };

    private static Dictionary<T, uint> IndexOf<T>(SortedSet<T> table) where T : notnull
    {
        var index = new Dictionary<T, uint>(table.Count);
        foreach (var entry in table)
        {
            index.Add(entry, (uint)index.Count);
        }

        return index;
    }

    private static UniqueAddress[] ReadAddresses(RepeatedField<Wire.UniqueAddress> wire, WireField field)
    {
        var addresses = new UniqueAddress[wire.Count];
        var seen = new HashSet<UniqueAddress>();
        for (var i = 0; i < wire.Count; i++)
        {
            addresses[i] = MembershipWireFormat.FromWire(wire[i], field.At(i));
            if (!seen.Add(addresses[i]))
            {
                throw MembershipWireFormat.Malformed(field.At(i), $"repeats {addresses[i]}");
            }
        }

        return addresses;
    }

    private static string[] ReadRoles(RepeatedField<string> wire, WireField field)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < wire.Count; i++)
        {
            if (!seen.Add(wire[i]))
            {
                throw MembershipWireFormat.Malformed(field.At(i), $"repeats the role '{wire[i]}'");
            }
        }

        return [.. wire];
    }

    /// <summary>The table entries at <paramref name="indexes"/>, each in range and none twice.</summary>
    private static List<T> Distinct<T>(RepeatedField<uint> indexes, WireField field, Func<uint, T?> find, string tableName, int tableSize)
        where T : class
    {
        var entries = new List<T>(indexes.Count);
        var seen = new HashSet<uint>();
        for (var i = 0; i < indexes.Count; i++)
        {
            var index = indexes[i];
            var entry = find(index) ?? throw MembershipWireFormat.Malformed(field.At(i), $"is {index}, outside the {tableName} of {tableSize} entries");
            if (!seen.Add(index))
            {
                throw MembershipWireFormat.Malformed(field.At(i), $"repeats {entry}");
            }

            entries.Add(entry);
        }

        return entries;
    }

    /// <summary>A version-vector count or a reachability row version: 1 or more (every one was made by a change).</summary>
    private static long Count(ulong count, WireField field) =>
        count is >= 1 and <= long.MaxValue ? (long)count : throw MembershipWireFormat.Malformed(field, $"is {count}, outside 1 to {long.MaxValue}");

    private static void NotTombstoned(ImmutableSortedDictionary<UniqueAddress, DateTimeOffset>.Builder tombstones, UniqueAddress node, WireField field)
    {
        if (tombstones.ContainsKey(node))
        {
            throw MembershipWireFormat.Malformed(field, $"names {node}, which is tombstoned");
        }
    }

    /// <summary>The decoded address table, looked up by the indexes that refer to it.</summary>
    private sealed class AddressTable(UniqueAddress[] addresses)
    {
        public UniqueAddress? Find(uint index) => index < addresses.Length ? addresses[index] : null;

        /// <summary>The entry a required index field names; throws if the field is absent or out of range.</summary>
        public UniqueAddress At(bool present, uint index, WireField field) =>
            !present ? throw MembershipWireFormat.Malformed(field, "is missing")
            : Find(index) ?? throw MembershipWireFormat.Malformed(field, $"is {index}, outside the address table of {addresses.Length} entries");
    }
}
