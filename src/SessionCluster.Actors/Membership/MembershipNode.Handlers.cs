using SessionCluster.Actors.Remoting;

namespace SessionCluster.Actors.Membership;

// The input handlers of MembershipNode; the design notes are in MembershipNode.cs.
public sealed partial class MembershipNode
{
    private void Seek(DateTimeOffset now)
    {
        Phase = MembershipPhase.Seeking;
        foreach (var seed in OtherSeeds())
        {
            Emit(new Send(seed, new InitJoin(_settings.ClusterName)));
        }

        _nextInitJoinAt = now + _settings.SeedRetryInterval;
    }

    private void TickSeeking(DateTimeOffset now)
    {
        if (IsFirstSeed && !_heardFromCluster && now - _seekingSince >= _settings.SeedNodeTimeout)
        {
            FormCluster(now);
        }
        else if (now >= _nextInitJoinAt)
        {
            Seek(now);
        }
    }

    private void FormCluster(DateTimeOffset now) =>
        BecomeMember(Gossip.Empty.WithMember(new Member(Self, MemberStatus.Joining, _roles, route: _route)).ChangedBy(Self), now);

    private void BecomeMember(Gossip gossip, DateTimeOffset now)
    {
        Phase = MembershipPhase.Member;
        _nextGossipAt = now + _settings.GossipInterval;
        _nextHeartbeatAt = now;
        _changedInStep = true;
        Update(gossip, now);
    }

    private void ReceiveInitJoin(UniqueAddress from, InitJoin initJoin)
    {
        if (initJoin.ClusterName != _settings.ClusterName)
        {
            Emit(new Send(from.Address, new JoinRefusal(_settings.ClusterName, WrongCluster(initJoin.ClusterName))));
        }
        else if (Phase == MembershipPhase.Member && SelfStatus is MemberStatus.Joining or MemberStatus.Up)
        {
            Emit(new Send(from.Address, new InitJoinAck(_settings.ClusterName)));
        }
        else
        {
            Emit(new Send(from.Address, new InitJoinNack(_settings.ClusterName)));
        }
    }

    private void ReceiveJoin(UniqueAddress from, Join join, DateTimeOffset now)
    {
        if (join.ClusterName != _settings.ClusterName)
        {
            Emit(new Send(from.Address, new JoinRefusal(_settings.ClusterName, WrongCluster(join.ClusterName))));
            return;
        }

        if (Phase != MembershipPhase.Member || SelfStatus is not (MemberStatus.Joining or MemberStatus.Up) || _gossip.IsTombstoned(from))
        {
            return; // Not able to admit anyone now (or a removed incarnation, which never returns): the joiner retries elsewhere.
        }

        if (_gossip.MemberOf(from) is { } existing)
        {
            if (existing.Status != MemberStatus.Down)
            {
                Emit(new Send(from.Address, new Welcome(from, _gossip))); // Our Welcome was lost: send it again.
            }

            return;
        }

        if (_gossip.MemberAt(from.Address) is { } previous)
        {
            // A new incarnation on the same address: the old one is dead (a process has one port). Down it now; the
            // leader removes it on convergence, and the joiner's next attempt is admitted.
            if (previous.Status != MemberStatus.Down)
            {
                ChangeLocally(_gossip.WithMember(previous.WithStatus(MemberStatus.Down)), now);
            }

            return;
        }

        ChangeLocally(_gossip.WithMember(new Member(from, MemberStatus.Joining, join.Roles, route: join.Route)), now);
        Emit(new Send(from.Address, new Welcome(from, _gossip)));
    }

    private string WrongCluster(string theirs) =>
        $"this node belongs to cluster '{_settings.ClusterName}', not '{theirs}': check cluster.name and cluster.seed-nodes";

    private void ReceiveGossip(UniqueAddress from, Gossip remote, DateTimeOffset now)
    {
        if (_gossip.IsTombstoned(from))
        {
            SendGossip(from); // A removed incarnation still gossiping: our view tells it that it is gone.
            return;
        }

        if (!remote.HasMember(from) || !(remote.HasMember(Self) || remote.IsTombstoned(Self)))
        {
            return; // From a node that is not a member in its own view, or does not know us yet: nothing to merge.
        }

        Update(_gossip.Merge(remote).Seen(Self), now);
        if (Phase != MembershipPhase.Member)
        {
            return;
        }

        RunLeaderActions(now);
        if (!_gossip.Version.Equals(remote.Version) || !_gossip.SeenBy.SetEquals(remote.SeenBy))
        {
            SendGossip(from);
        }
    }

    private void TickMember(DateTimeOffset now)
    {
        if (now >= _nextHeartbeatAt)
        {
            foreach (var target in _monitor.Targets)
            {
                Emit(new Send(target.Address, new Heartbeat(target)));
            }

            _nextHeartbeatAt = Next(_nextHeartbeatAt, _settings.HeartbeatInterval, now);
        }

        var reachability = _monitor.Evaluate(_gossip.Reachability, now);
        if (!ReferenceEquals(reachability, _gossip.Reachability))
        {
            ChangeLocally(_gossip.WithReachability(reachability), now);
        }

        if (Phase == MembershipPhase.Member && now >= _nextGossipAt)
        {
            GossipRounds++;
            GossipToSomeone();
            _nextGossipAt = Next(_nextGossipAt, _settings.GossipInterval, now);
        }

        if (Phase == MembershipPhase.Member && IsLeader)
        {
            ResolveSplit(now);
        }

        if (Phase == MembershipPhase.Member && _exitDeadline is { } deadline && now >= deadline)
        {
            Stop("left the cluster (Exiting; removal not seen within exiting-timeout)", left: true);
        }

        var oldest = now - _settings.TombstoneTimeToLive;
        if (Phase == MembershipPhase.Member && _gossip.Tombstones.Values.Any(at => at < oldest))
        {
            _gossip = _gossip.PruneTombstones(oldest);
        }

        if (Phase == MembershipPhase.Member && IsLeader && now >= _nextInvitationAt)
        {
            InviteAbsentSeeds();
            _nextInvitationAt = now + _settings.SeedRetryInterval;
        }
    }

    /// <summary>The leader tells every seed address that has no live member here that this cluster exists (an
    /// unsolicited InitJoinAck). A lone first seed that was restarted formed a cluster of its own at once (it has no
    /// other seed to ask); the invitation makes it join this one instead, so the cluster and the nodes that later join
    /// through that seed do not end up as two clusters.</summary>
    private void InviteAbsentSeeds()
    {
        foreach (var seed in _settings.SeedNodes.Distinct())
        {
            if (!seed.Equals(Self.Address) &&
                !_gossip.Members.Values.Any(member => member.Address.Equals(seed) && member.Status != MemberStatus.Down))
            {
                Emit(new Send(seed, new InitJoinAck(_settings.ClusterName)));
            }
        }
    }

    /// <summary>An invitation from a member of an existing cluster (see <see cref="InviteAbsentSeeds"/>). Taken only by a
    /// first seed that formed a cluster alone and is still its only member: it leaves nobody behind, so it joins the
    /// inviter's cluster (its own view stays until the Welcome replaces it). Any other member ignores it.</summary>
    private void ReceiveInvitation(UniqueAddress from, InitJoinAck invitation, DateTimeOffset now)
    {
        if (invitation.ClusterName != _settings.ClusterName || !IsFirstSeed || _gossip.Members.Count != 1 || !_gossip.HasMember(Self) ||
            SelfStatus is not (MemberStatus.Joining or MemberStatus.Up))
        {
            return;
        }

        _heardFromCluster = true;
        Emit(new Publish(new JoiningExistingCluster(from.Address)));
        Emit(new Send(from.Address, new Join(_settings.ClusterName, [.. _roles], _route)));
        Phase = MembershipPhase.AwaitingWelcome;
        _welcomeDeadline = now + _settings.JoinTimeout;
    }

    private static DateTimeOffset Next(DateTimeOffset due, TimeSpan interval, DateTimeOffset now)
    {
        var next = due + interval;
        return next > now ? next : now + interval; // After a long gap, resume the cadence instead of catching up in a burst.
    }

    private void ResolveSplit(DateTimeOffset now)
    {
        var sides = Sides();
        if (_resolver.Decide(sides, now) is not { } decision)
        {
            return;
        }

        IReadOnlyCollection<Member> downed = decision switch
        {
            DowningDecision.DownUnreachable => sides.Unreachable,
            DowningDecision.DownReachable => sides.Reachable,
            _ => [.. sides.Reachable, .. sides.Unreachable],
        };
        Emit(new Publish(new DowningDecided(_resolver.Strategy.Name, decision, [.. downed.Select(member => member.UniqueAddress)])));
        var updated = downed.Aggregate(_gossip, (gossip, member) => gossip.WithMember(member.WithStatus(MemberStatus.Down))).ChangedBy(Self);
        if (decision != DowningDecision.DownUnreachable)
        {
            // This side goes down with its leader: tell each member directly, since the leader stops right away.
            foreach (var member in sides.Reachable.Where(member => !member.UniqueAddress.Equals(Self)))
            {
                Emit(new Send(member.Address, new GossipEnvelope(member.UniqueAddress, updated)));
            }
        }

        _changedInStep = true;
        Update(updated, now);
    }

    /// <summary>The sides as the resolver sees them: members neither Down nor Exiting (those are leaving anyway),
    /// split by this node's view of reachability.</summary>
    private SplitSides Sides()
    {
        var unreachable = _gossip.Unreachable;
        var reachable = new List<Member>();
        var lost = new List<Member>();
        foreach (var member in _gossip.Members.Values)
        {
            if (member.Status is MemberStatus.Down or MemberStatus.Exiting)
            {
                continue;
            }

            (_gossip.IsReachable(member.UniqueAddress, Self) ? reachable : lost).Add(member);
        }

        return new SplitSides(reachable, lost);
    }

    private void MarkLeaving(UniqueAddress node, DateTimeOffset now)
    {
        if (_gossip.MemberOf(node) is { Status: MemberStatus.Joining or MemberStatus.Up } member)
        {
            ChangeLocally(_gossip.WithMember(member.WithStatus(MemberStatus.Leaving)), now);
        }
    }

    private void RunLeaderActions(DateTimeOffset now)
    {
        if (Phase != MembershipPhase.Member || !IsLeader || !_gossip.IsConverged(Self))
        {
            return;
        }

        var removed = new List<Member>();
        var margin = _settings.DownRemovalMargin;
        var updated = LeaderActions.Perform(
            _gossip,
            now,
            member => _downSince.TryGetValue(member.UniqueAddress, out var since) && now - since >= margin,
            removed);
        if (updated is null)
        {
            return;
        }

        updated = updated.ChangedBy(Self);
        foreach (var node in LeaderActions.ToTell(removed, Self))
        {
            Emit(new Send(node.Address, new GossipEnvelope(node, updated)));
        }

        _changedInStep = true;
        Update(updated, now);
    }

    private void ChangeLocally(Gossip changed, DateTimeOffset now)
    {
        _changedInStep = true;
        Update(changed.ChangedBy(Self), now);
    }

    /// <summary>Adopts a new view: publishes the differences, follows leadership, feeds the monitor and the resolver,
    /// and stops this node if the view says it is Down or removed.</summary>
    private void Update(Gossip updated, DateTimeOffset now)
    {
        var before = _gossip;
        _gossip = updated;
        if (before.Equals(updated))
        {
            return;
        }

        foreach (var clusterEvent in GossipDiff.Events(before, updated, Self))
        {
            Emit(new Publish(clusterEvent));
        }

        foreach (var member in updated.Members.Values)
        {
            _memberSince.TryAdd(member.UniqueAddress, now);
            if (member.Status == MemberStatus.Down)
            {
                _downSince.TryAdd(member.UniqueAddress, now);
            }
        }

        foreach (var gone in _memberSince.Keys.Where(node => !updated.HasMember(node)).ToList())
        {
            _memberSince.Remove(gone);
            _downSince.Remove(gone);
        }

        var leader = updated.Leader(Self);
        if (!Equals(leader, _leader))
        {
            _leader = leader;
            Emit(new Publish(new LeaderChanged(leader)));
        }

        if (updated.IsTombstoned(Self))
        {
            // Removed after Leaving or Exiting is the end of a graceful leave; removed otherwise (after a Down) is not.
            Stop("removed from the cluster", left: before.MemberOf(Self)?.Status is MemberStatus.Leaving or MemberStatus.Exiting);
            return;
        }

        switch (updated.MemberOf(Self)?.Status)
        {
            case MemberStatus.Down:
                Stop("downed");
                return;
            case MemberStatus.Exiting when _exitDeadline is null:
                _exitDeadline = now + _settings.ExitingTimeout;
                break;
        }

        _monitor.Update(updated, now);
        _resolver.Observe(
            updated.Unreachable.Where(node => !node.Equals(Self) && updated.Members[node].Status is not (MemberStatus.Down or MemberStatus.Exiting)),
            updated.RefusedUnreachable,
            now);
    }

    private void GossipToSomeone()
    {
        var candidates = new List<UniqueAddress>();
        var unseen = new List<UniqueAddress>();
        foreach (var member in _gossip.Members.Values)
        {
            var node = member.UniqueAddress;
            if (node.Equals(Self) || !_gossip.IsReachable(node, Self))
            {
                continue;
            }

            candidates.Add(node);
            if (!_gossip.HasSeen(node))
            {
                unseen.Add(node);
            }
        }

        if (candidates.Count == 0)
        {
            return;
        }

        var pool = unseen.Count > 0 && _random.NextDouble() < PreferUnseenProbability ? unseen : candidates;
        SendGossip(pool[_random.Next(pool.Count)]);
    }

    private void SendGossip(UniqueAddress to)
    {
        Emit(new Send(to.Address, new GossipEnvelope(to, _gossip)));
        _gossipSentInStep = true;
    }
}
