using System.Collections.Immutable;
using SessionCluster.Actors.Remoting;
using SessionCluster.Actors.Replication;
using SessionCluster.Actors.Sessions;

namespace SessionCluster.Actors.Sharding;

public sealed partial class ShardRegion
{
    /// <summary>Sends an envelope on its way. <paramref name="forwarded"/>: this region took responsibility for it (a
    /// local request, or one buffered here during a hand-off), so it follows a remote home instead of bouncing.</summary>
    private void Route(ShardEnvelope envelope, DateTimeOffset now, bool forwarded)
    {
        var slot = _slots[envelope.Shard];
        var local = envelope.Origin.Equals(Self.Address);
        switch (slot.Phase)
        {
            case Phase.Active:
                if (local)
                {
                    _pending.Remove(envelope.RequestId);
                }

                _effects.Add(new DeliverLocally(envelope));
                break;
            case Phase.Remote when forwarded && local && _unreachable.Contains(slot.Home!) && TryReadFromBackup(envelope, slot, now):
                // The home is unreachable (most often: its process crashed and refused the connection); a backup answers
                // the read now rather than after the home is downed and a backup promoted. Writes still go to the home.
                break;
            case Phase.Remote when forwarded:
                var outgoing = envelope with { Epoch = slot.Epoch };
                if (local && _pending.TryGetValue(envelope.RequestId, out var pending))
                {
                    pending.SentTo = slot.Home;
                    pending.SentAt = now;
                    pending.Envelope = outgoing;
                }

                _effects.Add(new SendToNode(slot.Home!, outgoing));
                break;
            case Phase.Remote or Phase.Unknown when !forwarded:
                _effects.Add(new SendToNode(envelope.Origin, new ShardNotHere(envelope.RequestId, envelope.Shard, slot.Phase == Phase.Remote ? slot.Home : null, slot.Epoch)));
                if (slot.Phase == Phase.Unknown && HostsShards && now - slot.LastSent >= _settings.RetryInterval)
                {
                    // Someone believes this node is the home: the allocation that says so may not have arrived yet.
                    AskHome(envelope.Shard, slot, now);
                }

                break;
            case Phase.Unknown when local && TryReadFromBackup(envelope, slot, now):
                // The home died (its backups are known, so a home was): a backup answered the read instead of the
                // promoted home. Once only: a refusal sends it to the buffer.
                if (now - slot.LastSent >= _settings.RetryInterval)
                {
                    AskHome(envelope.Shard, slot, now);
                }

                break;
            default:
                // Unknown (for a request of ours), HandingOff, Receiving: wait here for the home.
                BufferEnvelope(envelope, slot, now);
                if (slot.Phase == Phase.Unknown && now - slot.LastSent >= _settings.RetryInterval)
                {
                    AskHome(envelope.Shard, slot, now);
                }

                break;
        }
    }

    /// <summary>Sends a read of ours to a live backup of its shard, which holds every acknowledged write, unless the
    /// command is not a read, it went to a backup before, or no backup is reachable. True if sent.</summary>
    private bool TryReadFromBackup(ShardEnvelope envelope, Slot slot, DateTimeOffset now)
    {
        if (!BackupRead.CanServe(envelope.Command) || !_pending.TryGetValue(envelope.RequestId, out var read) ||
            read.TriedBackup || LiveBackup(slot) is not { } backup)
        {
            return false;
        }

        read.TriedBackup = true;
        read.SentTo = backup;
        read.SentAt = now;
        _effects.Add(new SendToNode(backup, new BackupRead(envelope.RequestId, envelope.Origin, envelope.Shard, slot.Epoch, envelope.Command)));
        return true;
    }

    /// <summary>Reads of ours waiting at a home that just became unreachable are asked of a backup instead.</summary>
    private void ReadFromBackupsOfUnreachableHomes(DateTimeOffset now)
    {
        if (_unreachable.Count == 0)
        {
            return;
        }

        foreach (var pending in _pending.Values)
        {
            if (pending.SentTo is { } home && _unreachable.Contains(home) && _slots[pending.Envelope.Shard] is { Phase: Phase.Remote } slot &&
                home.Equals(slot.Home))
            {
                TryReadFromBackup(pending.Envelope, slot, now);
            }
        }
    }

    /// <summary>A backup of the shard, other than this node, that this node takes for live and reachable; null if none.</summary>
    private NodeAddress? LiveBackup(Slot slot)
    {
        foreach (var backup in slot.Backups)
        {
            if (!backup.Equals(Self.Address) && _liveMembers.Contains(backup) && !_unreachable.Contains(backup))
            {
                return backup;
            }
        }

        return null;
    }

    private void OnEnvelope(ShardEnvelope envelope, DateTimeOffset now)
    {
        var slot = _slots[envelope.Shard];
        if (slot.Phase == Phase.Active && envelope.Epoch < slot.Epoch)
        {
            // Sent under an older allocation: the origin must learn the current one before this node serves it.
            _effects.Add(new SendToNode(envelope.Origin, new ShardNotHere(envelope.RequestId, envelope.Shard, Self.Address, slot.Epoch)));
            return;
        }

        Route(envelope, now, forwarded: false);
    }

    private void OnNotHere(UniqueAddress from, ShardNotHere notHere, DateTimeOffset now)
    {
        // The cache learns from every refusal, also of requests sent outside the machine (see RemoteRequests).
        var slot = _slots[notHere.Shard];
        if (slot.Phase == Phase.Remote)
        {
            if (notHere.Home is { } home && notHere.Epoch > slot.Epoch && _liveMembers.Contains(home))
            {
                slot.Home = home;
                slot.Epoch = notHere.Epoch;
            }
            else if (from.Address.Equals(slot.Home))
            {
                // The node we took for the home denies it and knows no better: ask the coordinator.
                slot.Phase = Phase.Unknown;
                slot.Home = null;
            }
        }

        if (!_pending.TryGetValue(notHere.RequestId, out var pending))
        {
            return;
        }

        pending.SentTo = null;
        if (++pending.Attempts > MaxAttempts)
        {
            _pending.Remove(notHere.RequestId);
            _effects.Add(new CompleteRequest(notHere.RequestId, new ShardUnavailable(notHere.Shard, "the shard's home kept moving")));
            return;
        }

        Route(pending.Envelope, now, forwarded: true);
    }

    private void OnAllocation(ShardAllocation allocation, DateTimeOffset now)
    {
        if ((uint)allocation.Shard >= (uint)_slots.Length)
        {
            return;
        }

        var shard = allocation.Shard;
        var slot = _slots[shard];
        _maxEpochSeen = Math.Max(_maxEpochSeen, allocation.Epoch);
        if (allocation.Epoch < slot.Epoch)
        {
            return;
        }

        if (slot.Phase == Phase.Receiving && allocation.Epoch < slot.TransferEpoch && !allocation.Home.Equals(Self.Address))
        {
            // Older than the move this node receives, so it changes nothing about serving; but it is still the newest
            // word on the shard's backups, and this node may be one: without its copy it would never acknowledge the
            // old home's deltas, whose replies (and so the move itself) would wait for the write timeout.
            var newer = allocation.Epoch > slot.Epoch;
            slot.Epoch = allocation.Epoch;
            ApplyBackups(shard, slot, allocation, newer);
            return;
        }

        if (allocation.Home.Equals(Self.Address))
        {
            if (!HostsShards)
            {
                return;
            }

            switch (slot.Phase)
            {
                case Phase.Active:
                    break;
                case Phase.HandingOff when allocation.Epoch < slot.TransferEpoch:
                    // A decision older than the move: the allocation this node is handing off, repeated (a full-table
                    // broadcast, an answer to "where is it?"), or one the coordinator made just before the move (new
                    // backups) and the network delivered after it. The move is still under way, so nothing changes;
                    // only an epoch newer than the move's calls it off.
                    return;
                case Phase.HandingOff:
                    // The move was called off: serve again what was never given away.
                    _effects.Add(new ResumeShard(shard));
                    break;
                case Phase.Receiving:
                    _effects.Add(new StartShard(shard, ReceivedSessions(slot), HandedOver: true));
                    break;
                default:
                    _effects.Add(new StartShard(shard, []));
                    break;
            }

            ClearTransfer(slot);
            slot.Phase = Phase.Active;
            slot.Home = null;
        }
        else
        {
            if (slot.Phase == Phase.HandingOff && HostsShards && allocation.BackupNodes.Contains(Self.Address))
            {
                // The move is confirmed and this node backs the shard up in the new home's place: what it handed over is
                // the whole shard, so it stays here as a whole copy rather than being refilled from the new home.
                _effects.Add(new KeepShardAsBackup(shard, allocation.Home, allocation.Epoch));
                slot.Backing = Backing.Synced;
            }
            else if (slot.Phase is Phase.Active or Phase.HandingOff)
            {
                // Either the move this node was making is confirmed, or the coordinator knows a newer home: in both
                // cases another node serves the shard now, so this one must not.
                var handedOff = slot.Phase == Phase.HandingOff && allocation.Home.Equals(slot.Home);
                _effects.Add(new DropShard(shard, handedOff ? allocation.Home : null));
            }

            ClearTransfer(slot);
            if (_liveMembers.Contains(allocation.Home))
            {
                slot.Phase = Phase.Remote;
                slot.Home = allocation.Home;
            }
            else
            {
                // A home this node has seen downed or removed: the coordinator has not heard yet (it keeps a downed
                // home's shards until removal, then promotes a backup). Sending there would only wait for a timeout;
                // hold the requests and ask again until the successor is named.
                slot.Phase = Phase.Unknown;
                slot.Home = null;
            }
        }

        var renewed = allocation.Epoch > slot.Epoch;
        slot.Epoch = allocation.Epoch;
        ApplyBackups(shard, slot, allocation, renewed);
        FlushBuffer(slot, now);
    }

    /// <summary>The replica part of an allocation: a home learns where to send its deltas; a backup starts, keeps or
    /// drops its copy. A promoted backup needs nothing here: starting the shard takes its copy over.</summary>
    private void ApplyBackups(int shard, Slot slot, ShardAllocation allocation, bool renewed)
    {
        var backups = allocation.BackupNodes;
        var changed = !backups.SequenceEqual(slot.Backups);
        slot.Backups = backups;
        if (slot.Phase == Phase.Active)
        {
            slot.Backing = Backing.None;
            if (changed || (renewed && !backups.IsEmpty))
            {
                _effects.Add(new ReplicateShard(shard, allocation.Epoch, backups));
            }
        }
        else if (HostsShards && backups.Contains(Self.Address))
        {
            if (slot.Backing == Backing.None)
            {
                slot.Backing = Backing.Copying;
            }
            else if (slot.Backing == Backing.Synced)
            {
                // Still a backup, and still whole: said again under a new epoch (the coordinator only counts the current
                // one) and on a repeat of the same allocation (its periodic full broadcast), since the report may have
                // been lost and nothing else would repeat it.
                ReportSynced(shard, slot);
            }

            _effects.Add(new KeepBackup(shard, allocation.Home, allocation.Epoch));
        }
        else if (slot.Backing != Backing.None)
        {
            slot.Backing = Backing.None;
            _effects.Add(new DropBackup(shard));
        }
    }

    private void OnHandOff(HandOffShard handOff, DateTimeOffset now)
    {
        if ((uint)handOff.Shard >= (uint)_slots.Length)
        {
            return;
        }

        var slot = _slots[handOff.Shard];
        _maxEpochSeen = Math.Max(_maxEpochSeen, handOff.Epoch);
        if (slot.Phase == Phase.Active && handOff.Epoch > slot.Epoch)
        {
            slot.Phase = Phase.HandingOff;
            slot.Home = handOff.To;
            slot.TransferEpoch = handOff.Epoch;
            slot.LastSent = DateTimeOffset.MinValue;
            _effects.Add(new CollectShard(handOff.Shard));
        }
        else if (slot.Phase == Phase.HandingOff && handOff.Epoch > slot.TransferEpoch)
        {
            // A newer move of a shard still in hand-off: same sessions, new destination.
            slot.Home = handOff.To;
            slot.TransferEpoch = handOff.Epoch;
            if (slot.Transfer is not null)
            {
                StartTransfer(handOff.Shard, slot, now);
            }
        }
    }

    private void OnTransfer(UniqueAddress from, ShardTransfer transfer, DateTimeOffset now)
    {
        if ((uint)transfer.Shard >= (uint)_slots.Length || transfer.ChunkCount < 1 || (uint)transfer.Chunk >= (uint)transfer.ChunkCount)
        {
            return;
        }

        var slot = _slots[transfer.Shard];
        var ack = new SendToNode(from.Address, new ShardTransferAck(transfer.Shard, transfer.Epoch, transfer.Chunk));
        if (!HostsShards || transfer.Epoch <= slot.Epoch || slot.Phase is Phase.Active or Phase.HandingOff)
        {
            // Stale, or for a shard this node already serves: acknowledge so the sender stops, but take nothing.
            _effects.Add(ack);
            return;
        }

        _maxEpochSeen = Math.Max(_maxEpochSeen, transfer.Epoch);
        if (slot.Phase != Phase.Receiving || transfer.Epoch > slot.TransferEpoch)
        {
            slot.Phase = Phase.Receiving;
            slot.Home = from.Address;
            slot.TransferEpoch = transfer.Epoch;
            slot.Received = new ImmutableArray<SessionCrdt>?[transfer.ChunkCount];
            slot.ReceivedCount = 0;
            slot.LastSent = DateTimeOffset.MinValue;
        }
        else if (transfer.Epoch < slot.TransferEpoch || transfer.ChunkCount != slot.Received!.Length)
        {
            _effects.Add(ack);
            return;
        }

        if (slot.Received![transfer.Chunk] is null)
        {
            slot.Received[transfer.Chunk] = transfer.Sessions;
            slot.ReceivedCount++;
        }

        _effects.Add(ack);
        if (slot.ReceivedAll)
        {
            ReportReceived(transfer.Shard, slot, now);
        }
    }

    private void ReportReceived(int shard, Slot slot, DateTimeOffset now)
    {
        if (_following is { } coordinator)
        {
            _effects.Add(new SendToNode(coordinator.Node.Address, new ShardReceived(coordinator.Reign, shard, slot.TransferEpoch)));
        }

        slot.LastSent = now;
    }

    private static ImmutableArray<SessionCrdt> ReceivedSessions(Slot slot)
    {
        var sessions = ImmutableArray.CreateBuilder<SessionCrdt>();
        foreach (var chunk in slot.Received ?? [])
        {
            if (chunk is { } arrived)
            {
                sessions.AddRange(arrived);
            }
        }

        return sessions.ToImmutable();
    }

    private static void ClearTransfer(Slot slot)
    {
        slot.Sessions = default;
        slot.Transfer = null;
        slot.Received = null;
        slot.ReceivedCount = 0;
        slot.TransferEpoch = 0;
    }

    /// <summary>Starts copying the collected sessions to the new home under the transfer epoch: slices of at most the
    /// configured size on the wire, at most the transfer window of them unacknowledged. A new home that backs the shard
    /// up is offered each slice as fingerprints first (<see cref="ShardTransferOffers"/>).</summary>
    private void StartTransfer(int shard, Slot slot, DateTimeOffset now)
    {
        slot.Transfer = new ShardCopy<IRegionMessage>(
            shard,
            slot.TransferEpoch,
            slot.Home!,
            slot.Sessions,
            static (shard, epoch, chunk, chunkCount, sessions) => new ShardTransfer(shard, epoch, chunk, chunkCount, sessions),
            _settings.TransferChunkBytes,
            _settings.TransferWindow > 0 ? _settings.TransferWindow : int.MaxValue,
            _settings.RetryInterval,
            _settings.RetryInterval * HandOffResendBackOffCap,
            slot.Backups.Contains(slot.Home!) ? ShardTransferOffers.Of : null);
        slot.LastSent = now;
        SendDueSlices(slot, now);
    }

    /// <summary>Sends the hand-off's slices that are due: new ones while the window has room, and unacknowledged ones
    /// whose back-off ran out or that a later slice's acknowledgement showed lost. The new home acknowledges a slice it
    /// already has without taking it twice.</summary>
    private void SendDueSlices(Slot slot, DateTimeOffset now)
    {
        foreach (var slice in slot.Transfer!.Due(now))
        {
            _effects.Add(new SendToNode(slot.Home!, slice));
        }
    }

    private void AskHome(int shard, Slot slot, DateTimeOffset now)
    {
        if (_candidate is { } coordinator)
        {
            _effects.Add(new SendToNode(coordinator.Address, new GetShardHome(shard)));
        }

        slot.LastSent = now;
    }

    private void BufferEnvelope(ShardEnvelope envelope, Slot slot, DateTimeOffset now)
    {
        if (_buffered >= _settings.BufferSize)
        {
            Fail(envelope, "too many requests are waiting for shards to find a home");
            return;
        }

        var deadline = _pending.TryGetValue(envelope.RequestId, out var pending) && envelope.Origin.Equals(Self.Address)
            ? pending.Deadline
            : now + _requestTimeout;
        (slot.Buffer ??= new Queue<Buffered>()).Enqueue(new Buffered(envelope, deadline));
        _buffered++;
    }

    private void FlushBuffer(Slot slot, DateTimeOffset now)
    {
        if (slot.Buffer is not { Count: > 0 } buffer)
        {
            return;
        }

        var waiting = buffer.ToArray();
        buffer.Clear();
        _buffered -= waiting.Length;
        foreach (var entry in waiting)
        {
            if (entry.Deadline <= now)
            {
                Fail(entry.Envelope, "timed out waiting for the shard's home");
            }
            else if (slot.Phase == Phase.Remote && !entry.Envelope.Origin.Equals(Self.Address))
            {
                // Another node's request, held here during the hand-off and not applied: its origin sends it to the new
                // home itself. Relayed from here, it would be tracked by no one: if the new home died before answering,
                // the origin would wait out its timeout for this node instead of sending it to the next home.
                _effects.Add(new SendToNode(entry.Envelope.Origin, new ShardNotHere(entry.Envelope.RequestId, entry.Envelope.Shard, slot.Home, slot.Epoch)));
            }
            else
            {
                // Ours (tracked in _pending, so it follows the home wherever it goes), or the shard is back here.
                Route(entry.Envelope, now, forwarded: true);
            }
        }
    }

    /// <summary>Answers a request that cannot be served with 503; remote origins hear it as a reply.</summary>
    private void Fail(ShardEnvelope envelope, string reason, bool mayHaveApplied = false)
    {
        if (envelope.Origin.Equals(Self.Address) && _pending.TryGetValue(envelope.RequestId, out var pending) && pending.SentBefore)
        {
            // Sent to a home that died and held here since: it may have been applied there.
            mayHaveApplied = true;
        }

        var unavailable = new ShardUnavailable(envelope.Shard, reason, mayHaveApplied);
        if (envelope.Origin.Equals(Self.Address))
        {
            if (_pending.Remove(envelope.RequestId))
            {
                _effects.Add(new CompleteRequest(envelope.RequestId, unavailable));
            }
        }
        else
        {
            _effects.Add(new SendToNode(envelope.Origin, new ShardReply(envelope.RequestId, unavailable)));
        }
    }

    private void ExpireRequests(DateTimeOffset now)
    {
        if (_buffered > 0)
        {
            foreach (var slot in _slots)
            {
                if (slot.Buffer is not { Count: > 0 } buffer || buffer.Peek().Deadline > now)
                {
                    continue;
                }

                var kept = buffer.Where(entry => entry.Deadline > now).ToArray();
                foreach (var expired in buffer.Where(entry => entry.Deadline <= now))
                {
                    Fail(expired.Envelope, "timed out waiting for the shard's home");
                }

                _buffered -= buffer.Count - kept.Length;
                buffer.Clear();
                foreach (var entry in kept)
                {
                    buffer.Enqueue(entry);
                }
            }
        }

        // One pass over the requests of ours at a node: those past their deadline fail, those unanswered for
        // resend-unanswered-after are sent again (see ResendUnanswered).
        var resendAfter = _settings.ResendUnansweredAfter;
        List<Pending>? expiredSent = null;
        List<Pending>? unanswered = null;
        foreach (var pending in _pending.Values)
        {
            if (pending.SentTo is null)
            {
                continue;
            }

            if (pending.Deadline <= now)
            {
                (expiredSent ??= []).Add(pending);
            }
            else if (resendAfter > TimeSpan.Zero && now - pending.SentAt >= resendAfter && pending.Resends < MaxResends &&
                     pending.Envelope.Command.RepeatsSafelyLater)
            {
                (unanswered ??= []).Add(pending);
            }
        }

        foreach (var pending in expiredSent ?? [])
        {
            Fail(pending.Envelope, "the shard's home did not answer in time", mayHaveApplied: true);
        }

        foreach (var pending in unanswered ?? [])
        {
            ResendUnanswered(pending, now);
        }
    }

    /// <summary>Sends again a request of ours whose node has not answered within resend-unanswered-after, once the
    /// coordinator has said where its shard's home is now. Only commands whose repeat is harmless at any later time
    /// get here (<see cref="SessionCommand.RepeatsSafelyLater"/>); the others wait for an answer, the home's departure
    /// or their deadline.</summary>
    /// <remarks>A reply can be lost without anyone noticing: the message went down with a broken connection, or the
    /// node it went to was a restarted process at a crashed home's address (same address, new incarnation) that never
    /// had the shard. The cached home is forgotten first, so the repeat goes where the coordinator says, not into the
    /// same hole; a home that did get the first copy answers the repeat as it answered the first, and whichever reply
    /// comes first completes the request.</remarks>
    private void ResendUnanswered(Pending pending, DateTimeOffset now)
    {
        ForgetHome(_slots[pending.Envelope.Shard], pending.SentTo!);
        pending.Resends++;
        pending.SentTo = null;
        pending.SentBefore = true;
        Route(pending.Envelope, now, forwarded: true);
    }

    /// <summary>Forgets <paramref name="node"/> as the slot's home if that is what it holds, so the next request asks
    /// the coordinator.</summary>
    private static void ForgetHome(Slot slot, NodeAddress node)
    {
        if (slot.Phase == Phase.Remote && node.Equals(slot.Home))
        {
            slot.Phase = Phase.Unknown;
            slot.Home = null;
        }
    }

    /// <summary>Homes on nodes that left the membership are forgotten; requests sent there fail at once (they may or
    /// may not have been applied before the node went), rather than waiting out their timeout.</summary>
    private void ForgetDepartedHomes(DateTimeOffset now)
    {
        foreach (var slot in _slots)
        {
            if (slot.Phase == Phase.Remote && !_liveMembers.Contains(slot.Home!))
            {
                slot.Phase = Phase.Unknown;
                slot.Home = null;
            }
        }

        List<Pending>? lost = null;
        foreach (var pending in _pending.Values)
        {
            if (pending.SentTo is { } home && !_liveMembers.Contains(home))
            {
                (lost ??= []).Add(pending);
            }
        }

        foreach (var pending in lost ?? [])
        {
            // The home died with the request: send it again to whoever takes the shard over (a promoted backup holds
            // every acknowledged write, and every command is idempotent), which the client only notices as a slower answer.
            pending.SentTo = null;
            pending.SentBefore = true;
            Route(pending.Envelope, now, forwarded: true);
        }
    }

    private void RegisterIfNeeded(DateTimeOffset now)
    {
        if (_candidate is { } candidate && !(_following is { } f && f.Node.Equals(candidate) && _confirmed) &&
            now - _lastRegistered >= _settings.RetryInterval)
        {
            _effects.Add(new SendToNode(candidate.Address, new RegisterRegion(HostsShards)));
            _lastRegistered = now;
        }
    }

    /// <summary>This node is out of the cluster: stop serving every shard and answer everything waiting with 503.</summary>
    private void Stop()
    {
        IsStopped = true;
        for (var shard = 0; shard < _slots.Length; shard++)
        {
            var slot = _slots[shard];
            if (slot.Phase is Phase.Active or Phase.HandingOff)
            {
                _effects.Add(new DropShard(shard));
            }

            if (slot.Buffer is { } buffer)
            {
                foreach (var entry in buffer)
                {
                    Fail(entry.Envelope, "this node has left the cluster");
                }

                buffer.Clear();
            }

            ClearTransfer(slot);
            slot.Phase = Phase.Unknown;
            slot.Home = null;
        }

        _buffered = 0;
        foreach (var pending in _pending.Values.ToArray())
        {
            Fail(pending.Envelope, "this node has left the cluster", mayHaveApplied: pending.SentTo is not null);
        }

        _pending.Clear();
    }
}
