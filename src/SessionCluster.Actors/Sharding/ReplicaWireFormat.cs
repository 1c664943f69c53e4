using System.Collections.Immutable;
using SessionCluster.Actors.Remoting;
using SessionCluster.Actors.Replication;
using SessionCluster.Actors.Sessions;
using static System.FormattableString;
using Wire = SessionCluster.Actors.Sharding.Wire;

namespace SessionCluster.Actors.Sharding;

/// <summary>The replication messages between a shard's home and its backups on the wire (<c>Protos/sharding.proto</c>).</summary>
/// <remarks>They live with sharding's wire format because the regions exchange them and they embed the session layer's
/// replicated state, which the replication layer below cannot see. A whole-shard copy reuses the hand-off's slice
/// messages (the same shape) under type ids of its own, so a slice can never be taken for the other kind.</remarks>
public static class ReplicaWireFormat
{
    /// <summary>Registers the replication messages (deltas, copies, digests, pulls and pushes, and backup reads).</summary>
    public static void Register(WireSerializer serializer)
    {
        ArgumentNullException.ThrowIfNull(serializer);
        serializer
            .Register<ReplicaDelta, Wire.ReplicaDelta>(
                WireTypeIds.ReplicaDelta, Wire.ReplicaDelta.Parser, ToWire, FromWire, delta => SessionMessageSizes.FixedBytes + SessionCrdtWireFormat.EstimatedSize(delta.Delta))
            .Register<ReplicaDeltaAck, Wire.ReplicaDeltaAck>(WireTypeIds.ReplicaDeltaAck, Wire.ReplicaDeltaAck.Parser, ToWire, FromWire)
            .Register<ReplicaCopy, Wire.ShardTransfer>(
                WireTypeIds.ReplicaCopy,
                Wire.ShardTransfer.Parser,
                copy => ShardingWireFormat.ToWire(new ShardTransfer(copy.Shard, copy.Epoch, copy.Chunk, copy.ChunkCount, copy.Sessions)),
                wire => ShardingWireFormat.FromWire(wire) is var slice ? new ReplicaCopy(slice.Shard, slice.Epoch, slice.Chunk, slice.ChunkCount, slice.Sessions) : null!,
                copy => ShardingWireFormat.EstimatedSize(copy.Sessions))
            .Register<BackupRead, Wire.ShardEnvelope>(
                WireTypeIds.BackupRead,
                Wire.ShardEnvelope.Parser,
                read => ShardingWireFormat.ToWire(new ShardEnvelope(read.RequestId, read.Origin, read.Shard, read.Epoch, read.Command)),
                wire => ShardingWireFormat.FromWire(wire) is var envelope
                    ? new BackupRead(envelope.RequestId, envelope.Origin, envelope.Shard, envelope.Epoch, envelope.Command)
                    : null!,
                read => SessionMessageSizes.Of(read.Command))
            .Register<ReplicaDigest, Wire.ReplicaDigest>(
                WireTypeIds.ReplicaDigest, Wire.ReplicaDigest.Parser, ToWire, FromWire,
                digest => SessionMessageSizes.FixedBytes + FingerprintBytes * (digest.Sessions.IsDefault ? 0 : digest.Sessions.Length))
            .Register<ReplicaCopyAck, Wire.ShardTransferAck>(
                WireTypeIds.ReplicaCopyAck,
                Wire.ShardTransferAck.Parser,
                ack => ShardingWireFormat.ToWire(new ShardTransferAck(ack.Shard, ack.Epoch, ack.Chunk)),
                wire => ShardingWireFormat.FromWire(wire) is var slice ? new ReplicaCopyAck(slice.Shard, slice.Epoch, slice.Chunk) : null!)
            .Register<ReplicaPull, Wire.ReplicaPull>(
                WireTypeIds.ReplicaPull, Wire.ReplicaPull.Parser, ToWire, FromWire,
                pull => SessionMessageSizes.FixedBytes + SessionIdBytes * (pull.SessionIds.IsDefault ? 0 : pull.SessionIds.Length))
            .Register<ReplicaPush, Wire.ReplicaDelta>(
                WireTypeIds.ReplicaPush,
                Wire.ReplicaDelta.Parser,
                push => ToWire(new ReplicaDelta(push.Shard, push.Epoch, 0, 0, push.State)),
                wire => FromWire(wire) is var delta ? new ReplicaPush(delta.Shard, delta.Epoch, delta.Delta) : null!,
                push => SessionMessageSizes.FixedBytes + SessionCrdtWireFormat.EstimatedSize(push.State));
    }

    /// <summary>A session id in a digest or pull, with its tag and length.</summary>
    private const int SessionIdBytes = 18;

    /// <summary>A digest's entry: a session id and its version fingerprint.</summary>
    private const int FingerprintBytes = 40;

    internal static Wire.ReplicaPull ToWire(ReplicaPull message)
    {
        var wire = new Wire.ReplicaPull { Shard = ShardingWireFormat.NonNegativeToWire(message.Shard, "shard"), Epoch = ShardingWireFormat.NonNegativeToWire(message.Epoch, "epoch") };
        foreach (var id in message.SessionIds.IsDefault ? [] : message.SessionIds)
        {
            wire.SessionIds.Add(SessionWireFormat.IdToWire(new SessionId(id)));
        }

        return wire;
    }

    internal static ReplicaPull FromWire(Wire.ReplicaPull wire)
    {
        var ids = ImmutableArray.CreateBuilder<UInt128>(wire.SessionIds.Count);
        var seen = new HashSet<UInt128>(wire.SessionIds.Count);
        for (var i = 0; i < wire.SessionIds.Count; i++)
        {
            var at = new WireField("ReplicaPull").Then("session_ids", i);
            var id = SessionWireFormat.IdFromWire(wire.SessionIds[i], at).Value;
            if (!seen.Add(id))
            {
                throw ShardingWireFormat.Malformed(at, $"repeats the session {new SessionId(id)}");
            }

            ids.Add(id);
        }

        return new ReplicaPull(
            ShardingWireFormat.NonNegative(wire.HasShard, wire.Shard, "ReplicaPull.shard"),
            ShardingWireFormat.NonNegative(wire.HasEpoch, wire.Epoch, "ReplicaPull.epoch"),
            ids.MoveToImmutable());
    }

    internal static Wire.ReplicaDelta ToWire(ReplicaDelta message)
    {
        ArgumentNullException.ThrowIfNull(message.Delta, nameof(message));
        Ordered(message.FromSeq, message.ToSeq);
        return new Wire.ReplicaDelta
        {
            Shard = ShardingWireFormat.NonNegativeToWire(message.Shard, "shard"),
            Epoch = ShardingWireFormat.NonNegativeToWire(message.Epoch, "epoch"),
            FromSeq = message.FromSeq,
            ToSeq = message.ToSeq,
            Delta = SessionCrdtWireFormat.ToWire(message.Delta),
        };
    }

    internal static ReplicaDelta FromWire(Wire.ReplicaDelta wire)
    {
        var (from, to) = Sequence(wire.HasFromSeq, wire.FromSeq, wire.HasToSeq, wire.ToSeq, "ReplicaDelta");
        if (wire.Delta is null)
        {
            throw ShardingWireFormat.Malformed("ReplicaDelta.delta", "is missing");
        }

        return new ReplicaDelta(
            ShardingWireFormat.NonNegative(wire.HasShard, wire.Shard, "ReplicaDelta.shard"),
            ShardingWireFormat.NonNegative(wire.HasEpoch, wire.Epoch, "ReplicaDelta.epoch"),
            from,
            to,
            SessionCrdtWireFormat.FromWire(wire.Delta, "ReplicaDelta.delta"));
    }

    internal static Wire.ReplicaDeltaAck ToWire(ReplicaDeltaAck message)
    {
        Ordered(message.FromSeq, message.ToSeq);
        return new Wire.ReplicaDeltaAck
        {
            Shard = ShardingWireFormat.NonNegativeToWire(message.Shard, "shard"),
            Epoch = ShardingWireFormat.NonNegativeToWire(message.Epoch, "epoch"),
            SessionId = SessionWireFormat.IdToWire(new SessionId(message.SessionId)),
            FromSeq = message.FromSeq,
            ToSeq = message.ToSeq,
        };
    }

    internal static ReplicaDeltaAck FromWire(Wire.ReplicaDeltaAck wire)
    {
        var (from, to) = Sequence(wire.HasFromSeq, wire.FromSeq, wire.HasToSeq, wire.ToSeq, "ReplicaDeltaAck");
        return new ReplicaDeltaAck(
            ShardingWireFormat.NonNegative(wire.HasShard, wire.Shard, "ReplicaDeltaAck.shard"),
            ShardingWireFormat.NonNegative(wire.HasEpoch, wire.Epoch, "ReplicaDeltaAck.epoch"),
            SessionWireFormat.IdFromWire(wire.SessionId, "ReplicaDeltaAck.session_id").Value,
            from,
            to);
    }

    internal static Wire.ReplicaDigest ToWire(ReplicaDigest message)
    {
        var wire = new Wire.ReplicaDigest { Shard = ShardingWireFormat.NonNegativeToWire(message.Shard, "shard"), Epoch = ShardingWireFormat.NonNegativeToWire(message.Epoch, "epoch") };
        foreach (var session in message.Sessions.IsDefault ? [] : message.Sessions)
        {
            wire.Sessions.Add(new Wire.SessionFingerprint { SessionId = SessionWireFormat.IdToWire(new SessionId(session.SessionId)), Hash = session.Hash });
        }

        return wire;
    }

    internal static ReplicaDigest FromWire(Wire.ReplicaDigest wire)
    {
        var sessions = ImmutableArray.CreateBuilder<SessionFingerprint>(wire.Sessions.Count);
        var seen = new HashSet<UInt128>(wire.Sessions.Count);
        for (var i = 0; i < wire.Sessions.Count; i++)
        {
            var at = new WireField("ReplicaDigest").Then("sessions", i);
            var id = SessionWireFormat.IdFromWire(wire.Sessions[i].SessionId, at.Then("session_id")).Value;
            if (!wire.Sessions[i].HasHash)
            {
                throw ShardingWireFormat.Malformed(at.Then("hash"), "is missing");
            }

            if (!seen.Add(id))
            {
                throw ShardingWireFormat.Malformed(at.Then("session_id"), $"repeats the session {new SessionId(id)}");
            }

            sessions.Add(new SessionFingerprint(id, wire.Sessions[i].Hash));
        }

        return new ReplicaDigest(
            ShardingWireFormat.NonNegative(wire.HasShard, wire.Shard, "ReplicaDigest.shard"),
            ShardingWireFormat.NonNegative(wire.HasEpoch, wire.Epoch, "ReplicaDigest.epoch"),
            sessions.MoveToImmutable());
    }

    private static (long From, long To) Sequence(bool hasFrom, long from, bool hasTo, long to, WireField message)
    {
        if (!hasFrom)
        {
            throw ShardingWireFormat.Malformed(message.Then("from_seq"), "is missing");
        }

        if (!hasTo)
        {
            throw ShardingWireFormat.Malformed(message.Then("to_seq"), "is missing");
        }

        return from <= to ? (from, to) : throw ShardingWireFormat.Malformed(message.Then("to_seq"), Invariant($"is {to}, before from_seq {from}"));
    }

    private static void Ordered(long from, long to)
    {
        if (from > to)
        {
            throw new ArgumentException(Invariant($"A sequence range {from}..{to} cannot go on the wire: it runs backwards."), "message");
        }
    }
}
