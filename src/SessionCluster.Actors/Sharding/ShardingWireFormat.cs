using System.Collections.Immutable;
using SessionCluster.Actors.Remoting;
using SessionCluster.Actors.Replication;
using SessionCluster.Actors.Sessions;
using static System.FormattableString;

namespace SessionCluster.Actors.Sharding;

/// <summary>Puts the sharding messages on the wire: registers each with a <see cref="WireSerializer"/> under its id in
/// <see cref="WireTypeIds"/> (20–39), with its mapping to and from <c>Protos/sharding.proto</c>, which explains the
/// layout; session commands and replies inside them go through <see cref="SessionWireFormat"/>, the sessions a hand-off
/// ships through <see cref="SessionCrdtWireFormat"/>.</summary>
/// <remarks>
/// Decoding is strict: anything a correct encoder never writes (a missing required field, a negative shard, epoch or
/// reign, a chunk outside its count, a weight that is NaN, infinite or negative, an unknown status, an empty oneof, an
/// index outside its table, a duplicate shard, home or session, a host or port no node listens on) throws
/// <see cref="InvalidDataException"/> naming the message and the field (e.g. <c>ShardEnvelope.command.session_id</c>),
/// and the transport closes that connection; the protocol never sees a repaired or half-read value. Encoding throws
/// <see cref="ArgumentException"/> for every value the decoder would reject (and for a default
/// <see cref="ImmutableArray{T}"/> or a reply type the wire does not know), so a sender's bug costs one dropped and
/// logged message instead of a closed connection. The mappings are pure and thread-safe, as
/// <see cref="WireSerializer"/> requires.
/// </remarks>
public static class ShardingWireFormat
{
    // The longest host name DNS allows; the handshake and membership's wire format hold peers to the same bound.
    private const int MaxHostLength = 255;

    /// <summary>Registers every sharding message a node sends (ShardEnvelope, ShardReply, ShardNotHere, ShardTransfer,
    /// ShardTransferAck, ShardTransferOffer, ShardTransferDeclined, GetShardHome, ShardHomes, RegisterRegion, QueryRegion, RegionReport, HandOffShard,
    /// ShardReceived, DrainRegion). Call once per serializer, before a transport starts with it.</summary>
    /// <exception cref="InvalidOperationException">The serializer is frozen, or one of these ids or types is already registered.</exception>
    public static void Register(WireSerializer serializer)
    {
        ArgumentNullException.ThrowIfNull(serializer);
        serializer
            .Register<ShardEnvelope, Wire.ShardEnvelope>(
                WireTypeIds.ShardEnvelope, Wire.ShardEnvelope.Parser, ToWire, FromWire, envelope => SessionMessageSizes.Of(envelope.Command))
            .Register<ShardReply, Wire.ShardReply>(WireTypeIds.ShardReply, Wire.ShardReply.Parser, ToWire, FromWire, EstimatedSize)
            .Register<ShardNotHere, Wire.ShardNotHere>(WireTypeIds.ShardNotHere, Wire.ShardNotHere.Parser, ToWire, FromWire)
            .Register<ShardTransfer, Wire.ShardTransfer>(
                WireTypeIds.ShardTransfer, Wire.ShardTransfer.Parser, ToWire, FromWire, transfer => EstimatedSize(transfer.Sessions))
            .Register<ShardTransferAck, Wire.ShardTransferAck>(WireTypeIds.ShardTransferAck, Wire.ShardTransferAck.Parser, ToWire, FromWire)
            .Register<ShardTransferOffer, Wire.ShardTransferOffer>(
                WireTypeIds.ShardTransferOffer, Wire.ShardTransferOffer.Parser, ToWire, FromWire,
                offer => SessionMessageSizes.FixedBytes + OfferedSessionBytes * (offer.Sessions.IsDefault ? 0 : offer.Sessions.Length))
            .Register<ShardTransferDeclined, Wire.ShardTransferDeclined>(WireTypeIds.ShardTransferDeclined, Wire.ShardTransferDeclined.Parser, ToWire, FromWire)
            .Register<GetShardHome, Wire.GetShardHome>(WireTypeIds.GetShardHome, Wire.GetShardHome.Parser, ToWire, FromWire)
            .Register<ShardHomes, Wire.ShardHomes>(
                WireTypeIds.ShardHomes, Wire.ShardHomes.Parser, ToWire, FromWire, homes => EstimatedSize(homes.Allocations.Length))
            .Register<RegisterRegion, Wire.RegisterRegion>(WireTypeIds.RegisterRegion, Wire.RegisterRegion.Parser, ToWire, FromWire)
            .Register<QueryRegion, Wire.QueryRegion>(WireTypeIds.QueryRegion, Wire.QueryRegion.Parser, ToWire, FromWire)
            .Register<RegionReport, Wire.RegionReport>(
                WireTypeIds.RegionReport, Wire.RegionReport.Parser, ToWire, FromWire, report => EstimatedSize(report.Shards.Length))
            .Register<HandOffShard, Wire.HandOffShard>(WireTypeIds.HandOffShard, Wire.HandOffShard.Parser, ToWire, FromWire)
            .Register<ShardReceived, Wire.ShardReceived>(WireTypeIds.ShardReceived, Wire.ShardReceived.Parser, ToWire, FromWire)
            .Register<DrainRegion, Wire.DrainRegion>(WireTypeIds.DrainRegion, Wire.DrainRegion.Parser, ToWire, FromWire)
            .Register<BackupSynced, Wire.BackupSynced>(WireTypeIds.BackupSynced, Wire.BackupSynced.Parser, ToWire, FromWire)
            .Register<GetShardStats, Wire.GetShardStats>(WireTypeIds.GetShardStats, Wire.GetShardStats.Parser, ToWire, FromWire)
            .Register<ShardStats, Wire.ShardStats>(
                WireTypeIds.ShardStats, Wire.ShardStats.Parser, ToWire, FromWire, stats => EstimatedSize(stats.Shards.Length));
    }

    // ---- Estimated sizes (for the outbound queues' byte bound) ----

    /// <summary>Per session of an offered slice: its id, fingerprint and last access, with tags and lengths.</summary>
    private const int OfferedSessionBytes = 40;

    /// <summary>Per shard in a table, a report or stats: a shard, an epoch, a count and perhaps a home's index.</summary>
    private const int ShardRowBytes = 12;

    private static int EstimatedSize(ShardReply reply) => reply.Reply is ShardUnavailable unavailable
        ? SessionMessageSizes.FixedBytes + unavailable.Reason.Length
        : SessionMessageSizes.OfReply(reply.Reply);

    /// <summary>A slice of whole sessions (a hand-off's, or a backup copy's).</summary>
    internal static int EstimatedSize(ImmutableArray<SessionCrdt> sessions)
    {
        var bytes = SessionMessageSizes.FixedBytes;
        foreach (var session in sessions.IsDefault ? [] : sessions)
        {
            bytes += SessionCrdtWireFormat.EstimatedSize(session);
        }

        return bytes;
    }

    /// <summary>A message listing <paramref name="shards"/> shards (homes' addresses are a few per cluster).</summary>
    private static int EstimatedSize(int shards) => SessionMessageSizes.FixedBytes + ShardRowBytes * shards;

    // ---- Between regions ----

    internal static Wire.ShardEnvelope ToWire(ShardEnvelope message) => new()
    {
        RequestId = message.RequestId,
        Origin = ToWire(message.Origin),
        Shard = NonNegativeToWire(message.Shard, "shard"),
        Epoch = NonNegativeToWire(message.Epoch, "epoch"),
        Command = SessionWireFormat.ToWire(message.Command),
    };

    internal static ShardEnvelope FromWire(Wire.ShardEnvelope wire) => new(
        Required(wire.HasRequestId, wire.RequestId, "ShardEnvelope.request_id"),
        FromWire(wire.Origin, "ShardEnvelope.origin"),
        NonNegative(wire.HasShard, wire.Shard, "ShardEnvelope.shard"),
        NonNegative(wire.HasEpoch, wire.Epoch, "ShardEnvelope.epoch"),
        SessionWireFormat.FromWire(wire.Command, "ShardEnvelope.command"));

    internal static Wire.ShardReply ToWire(ShardReply message)
    {
        ArgumentNullException.ThrowIfNull(message.Reply, nameof(message));
        var wire = new Wire.ShardReply { RequestId = message.RequestId };
        if (message.Reply is ShardUnavailable unavailable)
        {
            wire.Unavailable = ToWire(unavailable);
        }
        else
        {
            // Throws ArgumentException for anything that is not one of the five session replies either.
            wire.Session = SessionWireFormat.ReplyToWire(message.Reply);
        }

        return wire;
    }

    internal static ShardReply FromWire(Wire.ShardReply wire) => new(
        Required(wire.HasRequestId, wire.RequestId, "ShardReply.request_id"),
        wire.ReplyCase switch
        {
            Wire.ShardReply.ReplyOneofCase.Session => SessionWireFormat.ReplyFromWire(wire.Session, "ShardReply.session"),
            Wire.ShardReply.ReplyOneofCase.Unavailable => FromWire(wire.Unavailable, "ShardReply.unavailable"),
            // A reply kind added after this node was built arrives as an unknown field, so it too lands here.
            _ => throw Malformed("ShardReply.reply", "is missing: no reply this node knows is set"),
        });

    internal static Wire.ShardUnavailable ToWire(ShardUnavailable unavailable)
    {
        ArgumentNullException.ThrowIfNull(unavailable.Reason, nameof(unavailable));
        return new()
        {
            Shard = NonNegativeToWire(unavailable.Shard, "shard"),
            Reason = unavailable.Reason,
            MayHaveApplied = unavailable.MayHaveApplied,
        };
    }

    internal static ShardUnavailable FromWire(Wire.ShardUnavailable wire, WireField field) => new(
        NonNegative(wire.HasShard, wire.Shard, field.Then("shard")),
        wire.Reason,
        Required(wire.HasMayHaveApplied, wire.MayHaveApplied, field.Then("may_have_applied")));

    internal static Wire.ShardNotHere ToWire(ShardNotHere message) => new()
    {
        RequestId = message.RequestId,
        Shard = NonNegativeToWire(message.Shard, "shard"),
        Home = message.Home is { } home ? ToWire(home) : null,
        Epoch = NonNegativeToWire(message.Epoch, "epoch"),
    };

    internal static ShardNotHere FromWire(Wire.ShardNotHere wire) => new(
        Required(wire.HasRequestId, wire.RequestId, "ShardNotHere.request_id"),
        NonNegative(wire.HasShard, wire.Shard, "ShardNotHere.shard"),
        wire.Home is null ? null : FromWire(wire.Home, "ShardNotHere.home"),
        NonNegative(wire.HasEpoch, wire.Epoch, "ShardNotHere.epoch"));

    internal static Wire.ShardTransfer ToWire(ShardTransfer message)
    {
        var sessions = Defined(message.Sessions, "ShardTransfer.Sessions");
        ChunkToWire(message.Chunk, message.ChunkCount, nameof(message));

        var wire = new Wire.ShardTransfer
        {
            Shard = NonNegativeToWire(message.Shard, "shard"),
            Epoch = NonNegativeToWire(message.Epoch, "epoch"),
            Chunk = message.Chunk,
            ChunkCount = message.ChunkCount,
        };
        var seen = new HashSet<UInt128>(sessions.Length);
        foreach (var session in sessions)
        {
            ArgumentNullException.ThrowIfNull(session, nameof(message));
            if (!seen.Add(session.Id))
            {
                throw new ArgumentException($"Session {new SessionId(session.Id)} appears twice in one slice of shard {message.Shard}.", nameof(message));
            }

            wire.Sessions.Add(SessionCrdtWireFormat.ToWire(session));
        }

        return wire;
    }

    internal static ShardTransfer FromWire(Wire.ShardTransfer wire)
    {
        var shard = NonNegative(wire.HasShard, wire.Shard, "ShardTransfer.shard");
        var epoch = NonNegative(wire.HasEpoch, wire.Epoch, "ShardTransfer.epoch");
        var (chunk, count) = ChunkFromWire(wire.HasChunk, wire.Chunk, wire.HasChunkCount, wire.ChunkCount, "ShardTransfer");

        var sessions = ImmutableArray.CreateBuilder<SessionCrdt>(wire.Sessions.Count);
        var seen = new HashSet<UInt128>(wire.Sessions.Count);
        // A slice names the same few writers in every session: their ids are decoded once and shared.
        var replicas = new Dictionary<string, ReplicaId>(StringComparer.Ordinal);
        for (var i = 0; i < wire.Sessions.Count; i++)
        {
            var at = new WireField("ShardTransfer").Then("sessions", i);
            var state = SessionCrdtWireFormat.FromWire(wire.Sessions[i], at, replicas);
            if (!seen.Add(state.Id))
            {
                throw Malformed(at.Then("session_id"), $"repeats the session {new SessionId(state.Id)}");
            }

            sessions.Add(state);
        }

        return new ShardTransfer(shard, epoch, chunk, count, sessions.MoveToImmutable());
    }

    internal static Wire.ShardTransferAck ToWire(ShardTransferAck message) => new()
    {
        Shard = NonNegativeToWire(message.Shard, "shard"),
        Epoch = NonNegativeToWire(message.Epoch, "epoch"),
        Chunk = NonNegativeToWire(message.Chunk, "chunk"),
    };

    internal static ShardTransferAck FromWire(Wire.ShardTransferAck wire) => new(
        NonNegative(wire.HasShard, wire.Shard, "ShardTransferAck.shard"),
        NonNegative(wire.HasEpoch, wire.Epoch, "ShardTransferAck.epoch"),
        NonNegative(wire.HasChunk, wire.Chunk, "ShardTransferAck.chunk"));

    internal static Wire.ShardTransferOffer ToWire(ShardTransferOffer message)
    {
        ChunkToWire(message.Chunk, message.ChunkCount, nameof(message));

        var wire = new Wire.ShardTransferOffer
        {
            Shard = NonNegativeToWire(message.Shard, "shard"),
            Epoch = NonNegativeToWire(message.Epoch, "epoch"),
            Chunk = message.Chunk,
            ChunkCount = message.ChunkCount,
        };
        var seen = new HashSet<UInt128>();
        foreach (var session in message.Sessions.IsDefault ? [] : message.Sessions)
        {
            if (!seen.Add(session.SessionId))
            {
                throw new ArgumentException($"Session {new SessionId(session.SessionId)} appears twice in one offered slice of shard {message.Shard}.", nameof(message));
            }

            wire.Sessions.Add(new Wire.OfferedSession
            {
                SessionId = SessionWireFormat.IdToWire(new SessionId(session.SessionId)),
                Hash = session.Hash,
                LastAccessedUtcTicks = session.LastAccessed.UtcTicks,
            });
        }

        return wire;
    }

    internal static ShardTransferOffer FromWire(Wire.ShardTransferOffer wire)
    {
        var shard = NonNegative(wire.HasShard, wire.Shard, "ShardTransferOffer.shard");
        var epoch = NonNegative(wire.HasEpoch, wire.Epoch, "ShardTransferOffer.epoch");
        var (chunk, count) = ChunkFromWire(wire.HasChunk, wire.Chunk, wire.HasChunkCount, wire.ChunkCount, "ShardTransferOffer");

        var sessions = ImmutableArray.CreateBuilder<OfferedSession>(wire.Sessions.Count);
        var seen = new HashSet<UInt128>(wire.Sessions.Count);
        for (var i = 0; i < wire.Sessions.Count; i++)
        {
            var at = new WireField("ShardTransferOffer").Then("sessions", i);
            var offered = wire.Sessions[i];
            var id = SessionWireFormat.IdFromWire(offered.SessionId, at.Then("session_id")).Value;
            if (!offered.HasHash)
            {
                throw Malformed(at.Then("hash"), "is missing");
            }

            var lastAccessed = SessionWireFormat.InstantFromWire(offered.HasLastAccessedUtcTicks, offered.LastAccessedUtcTicks, at.Then("last_accessed_utc_ticks"));
            if (!seen.Add(id))
            {
                throw Malformed(at.Then("session_id"), $"repeats the session {new SessionId(id)}");
            }

            sessions.Add(new OfferedSession(id, offered.Hash, lastAccessed));
        }

        return new ShardTransferOffer(shard, epoch, chunk, count, sessions.MoveToImmutable());
    }

    /// <summary>Refuses a slice number the receiver could not place: a transfer has 1 or more chunks, numbered from 0.</summary>
    private static void ChunkToWire(int chunk, int count, string paramName)
    {
        if (count < 1 || chunk < 0 || chunk >= count)
        {
            throw new ArgumentException(
                Invariant($"Chunk {chunk} of {count} cannot go on the wire: a transfer has 1 or more chunks, numbered from 0."), paramName);
        }
    }

    /// <summary>A slice's number and the count of slices of <paramref name="message"/>, both present and consistent.</summary>
    private static (int Chunk, int Count) ChunkFromWire(bool hasChunk, int chunk, bool hasCount, int count, WireField message)
    {
        count = Required(hasCount, count, message.Then("chunk_count"));
        if (count < 1)
        {
            throw Malformed(message.Then("chunk_count"), Invariant($"is {count}; a transfer has at least 1 chunk"));
        }

        chunk = Required(hasChunk, chunk, message.Then("chunk"));
        if (chunk < 0 || chunk >= count)
        {
            throw Malformed(message.Then("chunk"), Invariant($"is {chunk}, outside 0 to {count - 1}"));
        }

        return (chunk, count);
    }

    internal static Wire.ShardTransferDeclined ToWire(ShardTransferDeclined message) => new()
    {
        Shard = NonNegativeToWire(message.Shard, "shard"),
        Epoch = NonNegativeToWire(message.Epoch, "epoch"),
        Chunk = NonNegativeToWire(message.Chunk, "chunk"),
    };

    internal static ShardTransferDeclined FromWire(Wire.ShardTransferDeclined wire) => new(
        NonNegative(wire.HasShard, wire.Shard, "ShardTransferDeclined.shard"),
        NonNegative(wire.HasEpoch, wire.Epoch, "ShardTransferDeclined.epoch"),
        NonNegative(wire.HasChunk, wire.Chunk, "ShardTransferDeclined.chunk"));

    // ---- Between regions and the coordinator ----

    internal static Wire.RegisterRegion ToWire(RegisterRegion message) => new() { HostsShards = message.HostsShards };

    internal static RegisterRegion FromWire(Wire.RegisterRegion wire) =>
        new(Required(wire.HasHostsShards, wire.HostsShards, "RegisterRegion.hosts_shards"));

    internal static Wire.QueryRegion ToWire(QueryRegion message) => new() { Reign = NonNegativeToWire(message.Reign, "reign") };

    internal static QueryRegion FromWire(Wire.QueryRegion wire) => new(NonNegative(wire.HasReign, wire.Reign, "QueryRegion.reign"));

    internal static Wire.RegionReport ToWire(RegionReport message)
    {
        var shards = Defined(message.Shards, "RegionReport.Shards");
        if (!double.IsFinite(message.Weight) || message.Weight < 0)
        {
            throw new ArgumentException(Invariant($"Weight {message.Weight} cannot go on the wire: a weight is finite and at least 0."), nameof(message));
        }

        var wire = new Wire.RegionReport
        {
            Reign = NonNegativeToWire(message.Reign, "reign"),
            HostsShards = message.HostsShards,
            Weight = message.Weight,
            MaxEpochSeen = NonNegativeToWire(message.MaxEpochSeen, "max epoch seen"),
        };
        var seen = new HashSet<int>(shards.Length);
        foreach (var held in shards)
        {
            if (!seen.Add(held.Shard))
            {
                throw new ArgumentException(Invariant($"Shard {held.Shard} is reported twice."), nameof(message));
            }

            wire.Shards.Add(new Wire.HostedShard
            {
                Shard = NonNegativeToWire(held.Shard, "shard"),
                Epoch = NonNegativeToWire(held.Epoch, "epoch"),
                Status = StatusToWire(held.Status),
            });
        }

        return wire;
    }

    internal static RegionReport FromWire(Wire.RegionReport wire)
    {
        var reign = NonNegative(wire.HasReign, wire.Reign, "RegionReport.reign");
        var hostsShards = Required(wire.HasHostsShards, wire.HostsShards, "RegionReport.hosts_shards");
        var weight = Required(wire.HasWeight, wire.Weight, "RegionReport.weight");
        if (!double.IsFinite(weight) || weight < 0)
        {
            throw Malformed("RegionReport.weight", Invariant($"is {weight}; a weight is finite and at least 0"));
        }

        var shards = ImmutableArray.CreateBuilder<HostedShard>(wire.Shards.Count);
        var seen = new HashSet<int>(wire.Shards.Count);
        for (var i = 0; i < wire.Shards.Count; i++)
        {
            var at = new WireField("RegionReport").Then("shards", i);
            var held = wire.Shards[i];
            var shard = NonNegative(held.HasShard, held.Shard, at.Then("shard"));
            if (!seen.Add(shard))
            {
                throw Malformed(at.Then("shard"), Invariant($"repeats the shard {shard}"));
            }

            shards.Add(new HostedShard(shard, NonNegative(held.HasEpoch, held.Epoch, at.Then("epoch")), StatusFromWire(held.Status, at.Then("status"))));
        }

        var maxEpochSeen = NonNegative(wire.HasMaxEpochSeen, wire.MaxEpochSeen, "RegionReport.max_epoch_seen");
        return new RegionReport(reign, hostsShards, weight, shards.MoveToImmutable(), maxEpochSeen);
    }

    internal static Wire.GetShardHome ToWire(GetShardHome message) => new() { Shard = NonNegativeToWire(message.Shard, "shard") };

    internal static GetShardHome FromWire(Wire.GetShardHome wire) => new(NonNegative(wire.HasShard, wire.Shard, "GetShardHome.shard"));

    internal static Wire.ShardHomes ToWire(ShardHomes message)
    {
        var allocations = Defined(message.Allocations, "ShardHomes.Allocations");
        var wire = new Wire.ShardHomes { Reign = NonNegativeToWire(message.Reign, "reign") };
        var homeIndex = new Dictionary<NodeAddress, uint>();
        var seen = new HashSet<int>(allocations.Length);
        foreach (var allocation in allocations)
        {
            if (!seen.Add(allocation.Shard))
            {
                throw new ArgumentException(Invariant($"Shard {allocation.Shard} is allocated twice."), nameof(message));
            }

            ArgumentNullException.ThrowIfNull(allocation.Home, nameof(message));
            var entry = new Wire.ShardAllocation
            {
                Shard = NonNegativeToWire(allocation.Shard, "shard"),
                HomeIndex = IndexOf(allocation.Home),
                Epoch = NonNegativeToWire(allocation.Epoch, "epoch"),
            };
            foreach (var backup in allocation.BackupNodes)
            {
                ArgumentNullException.ThrowIfNull(backup, nameof(message));
                var index = IndexOf(backup);
                if (index == entry.HomeIndex || entry.BackupIndexes.Contains(index))
                {
                    throw new ArgumentException(Invariant($"Shard {allocation.Shard} names {backup} twice among its home and backups."), nameof(message));
                }

                entry.BackupIndexes.Add(index);
            }

            wire.Allocations.Add(entry);
        }

        return wire;

        uint IndexOf(NodeAddress node)
        {
            if (!homeIndex.TryGetValue(node, out var index))
            {
                index = (uint)homeIndex.Count;
                wire.Homes.Add(ToWire(node));
                homeIndex.Add(node, index);
            }

            return index;
        }
    }

    internal static ShardHomes FromWire(Wire.ShardHomes wire)
    {
        var reign = NonNegative(wire.HasReign, wire.Reign, "ShardHomes.reign");
        var homes = new NodeAddress[wire.Homes.Count];
        var distinct = new HashSet<NodeAddress>(homes.Length);
        for (var i = 0; i < homes.Length; i++)
        {
            var at = new WireField("ShardHomes").Then("homes", i);
            homes[i] = FromWire(wire.Homes[i], at);
            if (!distinct.Add(homes[i]))
            {
                throw Malformed(at, $"repeats {homes[i]}");
            }
        }

        var allocations = ImmutableArray.CreateBuilder<ShardAllocation>(wire.Allocations.Count);
        var seen = new HashSet<int>(wire.Allocations.Count);
        for (var i = 0; i < wire.Allocations.Count; i++)
        {
            var at = new WireField("ShardHomes").Then("allocations", i);
            var allocation = wire.Allocations[i];
            var shard = NonNegative(allocation.HasShard, allocation.Shard, at.Then("shard"));
            if (!seen.Add(shard))
            {
                throw Malformed(at.Then("shard"), Invariant($"repeats the shard {shard}"));
            }

            var index = Required(allocation.HasHomeIndex, allocation.HomeIndex, at.Then("home_index"));
            if (index >= (uint)homes.Length)
            {
                throw Malformed(at.Then("home_index"), Invariant($"is {index}, outside the home table of {homes.Length} entries"));
            }

            var backups = ImmutableArray.CreateBuilder<NodeAddress>(allocation.BackupIndexes.Count);
            for (var b = 0; b < allocation.BackupIndexes.Count; b++)
            {
                var backup = allocation.BackupIndexes[b];
                var field = at.Then("backup_indexes", b);
                if (backup >= (uint)homes.Length)
                {
                    throw Malformed(field, Invariant($"is {backup}, outside the home table of {homes.Length} entries"));
                }

                if (backup == index || backups.Contains(homes[backup]))
                {
                    throw Malformed(field, Invariant($"names {homes[backup]} twice among the shard's home and backups"));
                }

                backups.Add(homes[backup]);
            }

            allocations.Add(new ShardAllocation(shard, homes[index], NonNegative(allocation.HasEpoch, allocation.Epoch, at.Then("epoch")), backups.MoveToImmutable()));
        }

        return new ShardHomes(reign, allocations.MoveToImmutable());
    }

    internal static Wire.HandOffShard ToWire(HandOffShard message) => new()
    {
        Reign = NonNegativeToWire(message.Reign, "reign"),
        Shard = NonNegativeToWire(message.Shard, "shard"),
        To = ToWire(message.To),
        Epoch = NonNegativeToWire(message.Epoch, "epoch"),
    };

    internal static HandOffShard FromWire(Wire.HandOffShard wire) => new(
        NonNegative(wire.HasReign, wire.Reign, "HandOffShard.reign"),
        NonNegative(wire.HasShard, wire.Shard, "HandOffShard.shard"),
        FromWire(wire.To, "HandOffShard.to"),
        NonNegative(wire.HasEpoch, wire.Epoch, "HandOffShard.epoch"));

    internal static Wire.ShardReceived ToWire(ShardReceived message) => new()
    {
        Reign = NonNegativeToWire(message.Reign, "reign"),
        Shard = NonNegativeToWire(message.Shard, "shard"),
        Epoch = NonNegativeToWire(message.Epoch, "epoch"),
    };

    internal static ShardReceived FromWire(Wire.ShardReceived wire) => new(
        NonNegative(wire.HasReign, wire.Reign, "ShardReceived.reign"),
        NonNegative(wire.HasShard, wire.Shard, "ShardReceived.shard"),
        NonNegative(wire.HasEpoch, wire.Epoch, "ShardReceived.epoch"));

    internal static Wire.BackupSynced ToWire(BackupSynced message) => new()
    {
        Reign = NonNegativeToWire(message.Reign, "reign"),
        Shard = NonNegativeToWire(message.Shard, "shard"),
        Epoch = NonNegativeToWire(message.Epoch, "epoch"),
    };

    internal static BackupSynced FromWire(Wire.BackupSynced wire) => new(
        NonNegative(wire.HasReign, wire.Reign, "BackupSynced.reign"),
        NonNegative(wire.HasShard, wire.Shard, "BackupSynced.shard"),
        NonNegative(wire.HasEpoch, wire.Epoch, "BackupSynced.epoch"));

    internal static Wire.DrainRegion ToWire(DrainRegion message) => new() { Draining = message.Draining };

    internal static DrainRegion FromWire(Wire.DrainRegion wire) => new(Required(wire.HasDraining, wire.Draining, "DrainRegion.draining"));

    internal static Wire.GetShardStats ToWire(GetShardStats message) => new() { QueryId = message.QueryId };

    internal static GetShardStats FromWire(Wire.GetShardStats wire) => new(Required(wire.HasQueryId, wire.QueryId, "GetShardStats.query_id"));

    internal static Wire.ShardStats ToWire(ShardStats message)
    {
        if (message.Shards.IsDefault)
        {
            throw new ArgumentException("ShardStats.Shards cannot go on the wire uninitialized.", nameof(message));
        }

        var wire = new Wire.ShardStats { QueryId = message.QueryId };
        foreach (var count in message.Shards)
        {
            wire.Shards.Add(new Wire.ShardSessionCount
            {
                Shard = NonNegativeToWire(count.Shard, "shard"),
                Sessions = NonNegativeToWire(count.Sessions, "sessions"),
            });
        }

        return wire;
    }

    internal static ShardStats FromWire(Wire.ShardStats wire)
    {
        var shards = System.Collections.Immutable.ImmutableArray.CreateBuilder<ShardSessionCount>(wire.Shards.Count);
        for (var i = 0; i < wire.Shards.Count; i++)
        {
            var count = wire.Shards[i];
            var at = new WireField("ShardStats").Then("shards", i);
            shards.Add(new ShardSessionCount(
                NonNegative(count.HasShard, count.Shard, at.Then("shard")),
                NonNegative(count.HasSessions, count.Sessions, at.Then("sessions"))));
        }

        return new ShardStats(Required(wire.HasQueryId, wire.QueryId, "ShardStats.query_id"), shards.MoveToImmutable());
    }

    // ---- Parts ----

    /// <summary>A region's address; throws <see cref="ArgumentException"/> for a host or port no node listens on.</summary>
    internal static Wire.NodeAddress ToWire(NodeAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        if (string.IsNullOrEmpty(address.Host) || address.Host.Length > MaxHostLength || address.Port is < 1 or > 65535)
        {
            throw new ArgumentException(
                $"{address} cannot go on the wire: the host must have 1 to {MaxHostLength} characters and the port be 1 to 65535.", nameof(address));
        }

        return new() { Host = address.Host, Port = (uint)address.Port };
    }

    /// <summary>A region's address read back; <paramref name="field"/> names it in the error (e.g. <c>HandOffShard.to</c>).</summary>
    internal static NodeAddress FromWire(Wire.NodeAddress? wire, WireField field)
    {
        if (wire is null)
        {
            throw Malformed(field, "is missing");
        }

        if (wire.Host.Length is 0 or > MaxHostLength)
        {
            throw Malformed(field.Then("host"), Invariant($"has {wire.Host.Length} characters; a host has 1 to {MaxHostLength}"));
        }

        if (wire.Port is < 1 or > 65535)
        {
            throw Malformed(field.Then("port"), Invariant($"is {wire.Port}; a port is 1 to 65535"));
        }

        return new NodeAddress(wire.Host, (int)wire.Port);
    }

    /// <summary>The error for a malformed field: <c>{field} {problem}</c>, e.g. <c>ShardEnvelope.shard is -1, below 0</c>.</summary>
    internal static InvalidDataException Malformed(WireField field, string problem) => new($"Malformed sharding message: {field} {problem}.");

    private static T Required<T>(bool present, T value, WireField field) => present ? value : throw Malformed(field, "is missing");

    internal static int NonNegative(bool present, int value, WireField field) =>
        !present ? throw Malformed(field, "is missing") : value >= 0 ? value : throw Malformed(field, Invariant($"is {value}, below 0"));

    internal static long NonNegative(bool present, long value, WireField field) =>
        !present ? throw Malformed(field, "is missing") : value >= 0 ? value : throw Malformed(field, Invariant($"is {value}, below 0"));

    internal static int NonNegativeToWire(int value, string what) =>
        value >= 0 ? value : throw new ArgumentException(Invariant($"A {what} of {value} cannot go on the wire: it is never negative."), "message");

    internal static long NonNegativeToWire(long value, string what) =>
        value >= 0 ? value : throw new ArgumentException(Invariant($"A {what} of {value} cannot go on the wire: it is never negative."), "message");

    private static ImmutableArray<T> Defined<T>(ImmutableArray<T> array, string name) =>
        array.IsDefault ? throw new ArgumentException($"{name} is a default ImmutableArray; an empty one is written [].", "message") : array;

    private static Wire.HostedShardStatus StatusToWire(HostedShardStatus status) => status switch
    {
        HostedShardStatus.Active => Wire.HostedShardStatus.Active,
        HostedShardStatus.HandingOff => Wire.HostedShardStatus.HandingOff,
        HostedShardStatus.Receiving => Wire.HostedShardStatus.Receiving,
        HostedShardStatus.Received => Wire.HostedShardStatus.Received,
        HostedShardStatus.Backup => Wire.HostedShardStatus.Backup,
        HostedShardStatus.SyncedBackup => Wire.HostedShardStatus.SyncedBackup,
        _ => throw new ArgumentException(Invariant($"{(int)status} is not a defined HostedShardStatus."), "message"),
    };

    private static HostedShardStatus StatusFromWire(Wire.HostedShardStatus status, WireField field) => status switch
    {
        Wire.HostedShardStatus.Active => HostedShardStatus.Active,
        Wire.HostedShardStatus.HandingOff => HostedShardStatus.HandingOff,
        Wire.HostedShardStatus.Receiving => HostedShardStatus.Receiving,
        Wire.HostedShardStatus.Received => HostedShardStatus.Received,
        Wire.HostedShardStatus.Backup => HostedShardStatus.Backup,
        Wire.HostedShardStatus.SyncedBackup => HostedShardStatus.SyncedBackup,
        Wire.HostedShardStatus.Unspecified => throw Malformed(field, "is missing"),
        _ => throw Malformed(field, Invariant($"is {(int)status}, not a known hosted shard status")),
    };
}
