using System.Collections.Immutable;
using SessionCluster.Actors.Membership;
using SessionCluster.Actors.Remoting;
using SessionCluster.Actors.Replication;
using SessionCluster.Actors.Sessions;
using SessionCluster.Actors.Sharding;

namespace SessionCluster.Actors.Tests.Sharding;

/// <summary>The region state machine, one rule at a time: inputs in, effects out, no network.</summary>
public sealed class ShardRegionTests
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset T1 = T0.AddMilliseconds(200);
    private static readonly UniqueAddress A = new(new NodeAddress("a", 1), 1);
    private static readonly UniqueAddress B = new(new NodeAddress("b", 1), 2);
    private static readonly UniqueAddress Origin = new(new NodeAddress("front", 1), 3);
    private static readonly ShardingSettings Settings = ShardingSettings.Default with { NumberOfShards = 10, BufferSize = 3 };

    /// <summary>A region on <see cref="A"/> following reign 1 of the coordinator on A, serving <paramref name="shard"/> under epoch 5.</summary>
    private static ShardRegion ServingRegion(int shard, out SessionId session)
    {
        var region = new ShardRegion(A, hostsShards: true, Settings, TimeSpan.FromSeconds(5));
        region.MembershipChanged(State(A, B, Origin), T0);
        region.Receive(A, new QueryRegion(1), T0);
        region.Receive(A, new ShardHomes(1, [new ShardAllocation(shard, A.Address, 5)]), T0);
        session = SessionIn(shard);
        return region;
    }

    /// <summary>A region on A serving shard 3 under epoch 5, told to hand it to B under epoch 6.</summary>
    private static ShardRegion HandingOffShard3ToB(ShardingSettings settings)
    {
        var region = new ShardRegion(A, hostsShards: true, settings, TimeSpan.FromSeconds(5));
        region.MembershipChanged(State(A, B, Origin), T0);
        region.Receive(A, new QueryRegion(1), T0);
        region.Receive(A, new ShardHomes(1, [new ShardAllocation(3, A.Address, 5)]), T0);
        region.Receive(A, new HandOffShard(1, 3, B.Address, 6), T0);
        return region;
    }

    /// <summary><paramref name="count"/> sessions of shard 3, each with one string value of <paramref name="valueChars"/>
    /// characters, so that a hand-off of them takes several slices.</summary>
    private static ImmutableArray<SessionCrdt> SessionsOfShard3(int count, int valueChars)
    {
        var value = System.Text.Encoding.UTF8.GetBytes($"\"{new string('x', valueChars)}\"");
        return [.. Enumerable.Range(0, count).Select(i =>
            Session(new SessionId(new UInt128(3, (ulong)i))).Set("v", value, new HlcTimestamp(T0.UtcTicks, 0, new ReplicaId("10.0.0.1:4000#1"))).State)];
    }

    /// <summary>A proxy region on <see cref="Origin"/> following reign 1 of the coordinator on A, which homes shard 2
    /// on B under epoch 3.</summary>
    private static ShardRegion FrontWithShard2OnB(ShardingSettings settings)
    {
        var region = new ShardRegion(Origin, hostsShards: false, settings, TimeSpan.FromSeconds(5));
        region.MembershipChanged(State(A, B, Origin), T0);
        region.Receive(A, new QueryRegion(1), T0);
        region.Receive(A, new ShardHomes(1, [new ShardAllocation(2, B.Address, 3)]), T0);
        return region;
    }

    [Fact]
    public void A_hand_off_slice_or_acknowledgement_for_a_shard_beyond_the_number_of_shards_is_ignored()
    {
        // The wire format checks only that the shard is not negative; the region drops what names a shard it does not have.
        var region = HandingOffShard3ToB(Settings);

        Assert.Empty(region.Receive(B, new ShardTransferAck(Settings.NumberOfShards, 6, 0), T0));
        Assert.Empty(region.Receive(B, new ShardTransfer(Settings.NumberOfShards, 6, 0, 1, []), T0));
    }

    [Fact]
    public void An_envelope_under_an_older_epoch_is_refused_with_the_current_one()
    {
        var region = ServingRegion(3, out var session);

        var effects = region.Receive(Origin, new ShardEnvelope(7, Origin.Address, 3, 4, new GetSession(session)), T0);

        var send = Assert.IsType<SendToNode>(Assert.Single(effects));
        Assert.Equal(Origin.Address, send.To);
        Assert.Equal(new ShardNotHere(7, 3, A.Address, 5), send.Message);
    }

    [Fact]
    public void An_envelope_under_the_current_epoch_is_delivered()
    {
        var region = ServingRegion(3, out var session);
        var envelope = new ShardEnvelope(7, Origin.Address, 3, 5, new GetSession(session));

        var effects = region.Receive(Origin, envelope, T0);

        Assert.Equal(new DeliverLocally(envelope), Assert.Single(effects));
    }

    [Fact]
    public void Decisions_of_a_reign_this_region_does_not_follow_are_ignored()
    {
        var region = ServingRegion(3, out _);

        Assert.Empty(region.Receive(A, new ShardHomes(2, [new ShardAllocation(3, B.Address, 9)]), T0));
        Assert.Empty(region.Receive(B, new ShardHomes(1, [new ShardAllocation(3, B.Address, 9)]), T0));
        Assert.Empty(region.Receive(B, new HandOffShard(1, 3, B.Address, 9), T0));

        Assert.True(region.IsServing(3));
    }

    [Fact]
    public void A_shard_in_hand_off_that_the_coordinator_homes_elsewhere_is_dropped_without_claiming_it_was_handed_over()
    {
        var region = HandingOffShard3ToB(Settings);
        var c = new UniqueAddress(new NodeAddress("c", 1), 4);
        region.MembershipChanged(State(A, B, c, Origin), T0);
        region.ShardCollected(3, [Session(SessionIn(3))], T0);

        var effects = region.Receive(A, new ShardHomes(1, [new ShardAllocation(3, c.Address, 7)]), T0);

        // C took the shard some other way (B died, say): the old home's log must not say its sessions went to C.
        Assert.Equal(new DropShard(3), effects[0]);
        Assert.Equal((c.Address, 7L), region.HomeOf(3));
    }

    [Fact]
    public void A_hand_off_to_a_backup_of_the_shard_offers_fingerprints_and_sends_in_full_only_the_slice_it_declines()
    {
        var region = new ShardRegion(A, hostsShards: true, Settings with { TransferChunkBytes = 4_000 }, TimeSpan.FromSeconds(5));
        region.MembershipChanged(State(A, B, Origin), T0);
        region.Receive(A, new QueryRegion(1), T0);
        region.Receive(A, new ShardHomes(1, [new ShardAllocation(3, A.Address, 5, [B.Address])]), T0);
        region.Receive(A, new HandOffShard(1, 3, B.Address, 6), T0);
        var sessions = SessionsOfShard3(6, 1_000);

        var offers = region.ShardCollected(3, sessions, T0).OfType<SendToNode>().Select(send => send.Message).ToList();

        Assert.True(offers.Count >= 2, $"{offers.Count} slices");
        Assert.All(offers, offer => Assert.IsType<ShardTransferOffer>(offer));
        Assert.Equal(sessions.Select(s => s.Id), offers.Cast<ShardTransferOffer>().SelectMany(offer => offer.Sessions).Select(offered => offered.SessionId));
        var second = (ShardTransferOffer)offers[1];

        Assert.Empty(region.Receive(B, new ShardTransferDeclined(3, 5, second.Chunk), T0));   // another epoch: not this move's
        var resent = Assert.Single(region.Receive(B, new ShardTransferDeclined(3, 6, second.Chunk), T0));

        var full = Assert.IsType<ShardTransfer>(Assert.IsType<SendToNode>(resent).Message);
        Assert.Equal((3, 6L, second.Chunk), (full.Shard, full.Epoch, full.Chunk));
        Assert.Equal(second.Sessions.Select(offered => offered.SessionId), full.Sessions.Select(s => s.Id));
        Assert.Equal(B.Address, ((SendToNode)resent).To);
    }

    [Fact]
    public void An_older_allocation_is_ignored()
    {
        var region = ServingRegion(3, out _);

        Assert.Empty(region.Receive(A, new ShardHomes(1, [new ShardAllocation(3, B.Address, 4)]), T0));

        Assert.True(region.IsServing(3));
    }

    [Fact]
    public void A_hand_off_stops_serving_at_once_and_buffers_until_the_new_home_is_confirmed_then_sends_its_own_requests_there_in_order()
    {
        var region = ServingRegion(3, out var session);

        Assert.Equal(new CollectShard(3), Assert.Single(region.Receive(A, new HandOffShard(1, 3, B.Address, 6), T0)));
        Assert.False(region.IsServing(3));
        var first = new IncrementAttribute(session, "n", 1, IncrementAttribute.NewOperationId());
        var second = new IncrementAttribute(session, "n", 1, IncrementAttribute.NewOperationId());
        Assert.Empty(region.Submit(1, first, T0));
        Assert.Empty(region.Submit(2, second, T0));

        var transfer = region.ShardCollected(3, [Session(session)], T0);
        var slice = Assert.IsType<ShardTransfer>(Assert.IsType<SendToNode>(Assert.Single(transfer)).Message);
        Assert.Equal((3, 6L, 0, 1), (slice.Shard, slice.Epoch, slice.Chunk, slice.ChunkCount));

        var confirmed = region.Receive(A, new ShardHomes(1, [new ShardAllocation(3, B.Address, 6)]), T0);

        Assert.Equal(new DropShard(3, HandedOffTo: B.Address), confirmed[0]);
        Assert.Equal(
            [first, second],
            confirmed.Skip(1).Select(effect => Assert.IsType<ShardEnvelope>(Assert.IsType<SendToNode>(effect).Message).Command).ToList());
        Assert.All(confirmed.Skip(1), effect => Assert.Equal((B.Address, 6L), (((SendToNode)effect).To, ((ShardEnvelope)((SendToNode)effect).Message).Epoch)));
        Assert.Equal((B.Address, 6L), region.HomeOf(3));
    }

    [Fact]
    public void Another_nodes_requests_held_during_a_hand_off_go_back_to_their_origin_in_order_naming_the_new_home()
    {
        var region = ServingRegion(3, out var session);
        region.Receive(A, new HandOffShard(1, 3, B.Address, 6), T0);
        var first = new ShardEnvelope(1, Origin.Address, 3, 5, new IncrementAttribute(session, "n", 1, IncrementAttribute.NewOperationId()));
        var second = new ShardEnvelope(-7, Origin.Address, 3, 5, new GetSession(session));
        Assert.Empty(region.Receive(Origin, first, T0));
        Assert.Empty(region.Receive(Origin, second, T0));
        region.ShardCollected(3, [Session(session)], T0);

        var confirmed = region.Receive(A, new ShardHomes(1, [new ShardAllocation(3, B.Address, 6)]), T0);

        // Not relayed to B: only the origin knows the request waits, so only it can send it again if B dies unanswering.
        Assert.Equal(
            [
                new DropShard(3, HandedOffTo: B.Address),
                new SendToNode(Origin.Address, new ShardNotHere(1, 3, B.Address, 6)),
                new SendToNode(Origin.Address, new ShardNotHere(-7, 3, B.Address, 6)),
            ],
            confirmed);
    }

    [Fact]
    public void A_request_held_by_a_home_handing_off_reaches_the_next_home_when_the_new_home_dies_before_answering()
    {
        // The front sends to A, which is handing shard 3 to B; B takes it and dies before the request reaches it.
        var front = new ShardRegion(Origin, hostsShards: false, Settings, TimeSpan.FromSeconds(5));
        front.MembershipChanged(State(A, B, Origin), T0);
        front.Receive(A, new QueryRegion(1), T0);
        front.Receive(A, new ShardHomes(1, [new ShardAllocation(3, A.Address, 5)]), T0);
        var home = ServingRegion(3, out var session);
        home.Receive(A, new HandOffShard(1, 3, B.Address, 6), T0);
        var write = new SetAttribute(session, "a", System.Text.Encoding.UTF8.GetBytes("1"));

        var toA = Assert.IsType<SendToNode>(Assert.Single(front.Submit(1, write, T0)));
        Assert.Equal(A.Address, toA.To);
        Assert.Empty(home.Receive(Origin, (ShardEnvelope)toA.Message, T0));
        home.ShardCollected(3, [Session(session)], T0);
        var bounced = home.Receive(A, new ShardHomes(1, [new ShardAllocation(3, B.Address, 6)]), T0).OfType<SendToNode>().Single();
        Assert.Equal(Origin.Address, bounced.To);

        var toB = Assert.IsType<SendToNode>(Assert.Single(front.Receive(A, bounced.Message, T1)));
        Assert.Equal(B.Address, toB.To);
        var departed = front.MembershipChanged(State(A, Origin), T1);
        Assert.DoesNotContain(departed, effect => effect is CompleteRequest);

        var resent = front.Receive(A, new ShardHomes(1, [new ShardAllocation(3, A.Address, 7)]), T1);
        var again = Assert.IsType<SendToNode>(Assert.Single(resent));
        Assert.Equal(A.Address, again.To);
        Assert.Same(write, Assert.IsType<ShardEnvelope>(again.Message).Command);
    }

    [Fact]
    public void An_allocation_naming_this_home_but_older_than_its_hand_off_does_not_call_the_hand_off_off()
    {
        // The coordinator gave the shard a backup (epoch 6) and then decided to move it (epoch 7) in one round; the
        // network delivered the two the other way round.
        var region = ServingRegion(3, out _);
        Assert.Equal(new CollectShard(3), Assert.Single(region.Receive(A, new HandOffShard(1, 3, B.Address, 7), T0)));

        Assert.Empty(region.Receive(A, new ShardHomes(1, [new ShardAllocation(3, A.Address, 6, [Origin.Address])]), T0));

        Assert.False(region.IsServing(3));
        Assert.Equal<HostedShard>([new HostedShard(3, 5, HostedShardStatus.HandingOff)], region.HeldShards);
        Assert.Equal(new ResumeShard(3), Assert.Single(region.Receive(A, new ShardHomes(1, [new ShardAllocation(3, A.Address, 8)]), T0)));
        Assert.True(region.IsServing(3));
    }

    [Fact]
    public void A_hand_off_slices_the_sessions_so_that_no_slice_is_larger_on_the_wire_than_the_chunk_size()
    {
        var settings = Settings with { TransferChunkBytes = 8 * 1024, TransferWindow = 0 };   // every slice at once
        var region = HandingOffShard3ToB(settings);
        var writers = new[] { new ReplicaId("10.0.0.1:4000#1"), new ReplicaId("10.0.0.2:4000#2") };
        var sessions = Enumerable.Range(0, 60).Select(i =>
        {
            var state = Session(new SessionId(new UInt128(3, (ulong)i)));
            for (var a = 0; a < i % 4; a++)
            {
                state = state.Set($"attribute-{a}", System.Text.Encoding.UTF8.GetBytes($"\"{new string('x', 300)}\""), new HlcTimestamp(T0.UtcTicks + a, 0, writers[a % 2])).State;
            }

            return state.Increment("n", i, 1, writers[i % 2], new HlcTimestamp(T0.UtcTicks + 9, 0, writers[i % 2])).State;
        }).ToImmutableArray();

        var slices = region.ShardCollected(3, sessions, T0).Select(effect => Assert.IsType<ShardTransfer>(Assert.IsType<SendToNode>(effect).Message)).ToList();

        Assert.True(slices.Count > 1, $"{slices.Count} slices");
        Assert.All(slices, slice => Assert.InRange(ShardingWireFormat.ToWire(slice).CalculateSize(), 1, settings.TransferChunkBytes));
        Assert.Equal(sessions, slices.SelectMany(slice => slice.Sessions));
        Assert.Equal(Enumerable.Range(0, slices.Count), slices.Select(slice => slice.Chunk));
    }

    [Fact]
    public void A_newer_move_of_a_shard_in_hand_off_sends_the_same_sessions_to_the_new_destination_from_the_first_slice()
    {
        var settings = Settings with { TransferChunkBytes = 8 * 1024, TransferWindow = 2 };
        var region = HandingOffShard3ToB(settings);
        var sessions = SessionsOfShard3(count: 20, valueChars: 2_000);
        static List<(NodeAddress To, ShardTransfer Slice)> Slices(IReadOnlyList<ShardingEffect> effects) =>
            [.. effects.OfType<SendToNode>().Where(send => send.Message is ShardTransfer).Select(send => (send.To, (ShardTransfer)send.Message))];

        var toB = Slices(region.ShardCollected(3, sessions, T0));
        Assert.Equal([(B.Address, 6L, 0), (B.Address, 6L, 1)], toB.Select(s => (s.To, s.Slice.Epoch, s.Slice.Chunk)));

        // The coordinator moves it on to the front's address instead, under epoch 7: the window starts over there.
        var t = T0.AddMilliseconds(10);
        var toNew = Slices(region.Receive(A, new HandOffShard(1, 3, Origin.Address, 7), t));
        Assert.Equal([(Origin.Address, 7L, 0), (Origin.Address, 7L, 1)], toNew.Select(s => (s.To, s.Slice.Epoch, s.Slice.Chunk)));
        Assert.Equal(toB.SelectMany(s => s.Slice.Sessions), toNew.SelectMany(s => s.Slice.Sessions));

        // B's late acknowledgements under epoch 6 move nothing; the new destination's do.
        Assert.Empty(Slices(region.Receive(B, new ShardTransferAck(3, 6, 0), t)));
        Assert.Equal([(Origin.Address, 7L, 2)], Slices(region.Receive(Origin, new ShardTransferAck(3, 7, 0), t)).Select(s => (s.To, s.Slice.Epoch, s.Slice.Chunk)));
    }

    [Fact]
    public void A_hand_off_keeps_at_most_the_transfer_window_unacknowledged_and_resends_only_those_backing_off()
    {
        var settings = Settings with { TransferChunkBytes = 8 * 1024, TransferWindow = 3 };
        var region = HandingOffShard3ToB(settings);
        var sessions = SessionsOfShard3(count: 40, valueChars: 2_000);
        var sent = new List<ShardTransfer>();
        List<int> Chunks(IReadOnlyList<ShardingEffect> effects)
        {
            var slices = effects.OfType<SendToNode>().Select(effect => effect.Message).OfType<ShardTransfer>().ToList();
            sent.AddRange(slices);
            return [.. slices.Select(slice => slice.Chunk)];
        }

        Assert.Equal([0, 1, 2], Chunks(region.ShardCollected(3, sessions, T0)));
        var count = sent[0].ChunkCount;
        Assert.True(count >= 8, $"{count} slices");

        // An acknowledgement lets one more go. Slices travel in order, so one for slice 1 while 0 is unacknowledged
        // shows 0 lost: it goes again at once. A repeated acknowledgement lets nothing go.
        var t = T0.AddMilliseconds(10);
        Assert.Equal([0, 3], Chunks(region.Receive(B, new ShardTransferAck(3, 6, 1), t)));
        Assert.Empty(Chunks(region.Receive(B, new ShardTransferAck(3, 6, 1), t)));

        // A slice unacknowledged for retry-interval since it was last sent goes again, and only the slices in flight
        // do, none beyond the window; each further re-send of a slice waits twice as long.
        var retry = settings.RetryInterval;
        Assert.Empty(Chunks(region.Tick(T0 + retry - TimeSpan.FromMilliseconds(1))));
        Assert.Equal([2], Chunks(region.Tick(T0 + retry)));
        Assert.Equal([0, 3], Chunks(region.Tick(t + retry)));
        Assert.Empty(Chunks(region.Tick(T0 + (3 * retry) - TimeSpan.FromMilliseconds(1))));
        Assert.Equal([2], Chunks(region.Tick(T0 + (3 * retry))));

        // Acknowledging everything sent, in any order, walks the window to the end: every slice goes, each session once.
        var acked = new HashSet<int> { 1 };
        while (acked.Count < count)
        {
            var next = sent.Select(slice => slice.Chunk).Where(chunk => !acked.Contains(chunk)).Max();
            acked.Add(next);
            t = t.AddMilliseconds(1);
            Chunks(region.Receive(B, new ShardTransferAck(3, 6, next), t));
            var unacknowledged = sent.Select(slice => slice.Chunk).Distinct().Count(chunk => !acked.Contains(chunk));
            Assert.InRange(unacknowledged, 0, settings.TransferWindow);
        }

        Assert.Equal(sessions, sent.DistinctBy(slice => slice.Chunk).OrderBy(slice => slice.Chunk).SelectMany(slice => slice.Sessions));
    }

    [Fact]
    public void The_allocation_being_handed_off_repeated_does_not_resume_the_shard()
    {
        // Regression: a full-table broadcast repeating (A, 5) during the move used to resume the shard on A while B
        // was receiving it, and writes A took then were lost when B was confirmed.
        var region = ServingRegion(3, out var session);
        region.Receive(A, new HandOffShard(1, 3, B.Address, 6), T0);
        region.ShardCollected(3, [Session(session)], T0);

        Assert.Empty(region.Receive(A, new ShardHomes(1, [new ShardAllocation(3, A.Address, 5)]), T0));

        Assert.False(region.IsServing(3));
    }

    [Fact]
    public void A_move_called_off_under_a_newer_epoch_resumes_the_shard_and_serves_what_was_buffered()
    {
        var region = ServingRegion(3, out var session);
        region.Receive(A, new HandOffShard(1, 3, B.Address, 6), T0);
        var waiting = new ShardEnvelope(1, Origin.Address, 3, 5, new GetSession(session));
        region.Receive(Origin, waiting, T0);

        var effects = region.Receive(A, new ShardHomes(1, [new ShardAllocation(3, A.Address, 7)]), T0);

        Assert.Equal([new ResumeShard(3), new DeliverLocally(waiting)], effects);
        Assert.True(region.IsServing(3));
        Assert.Equal((A.Address, 7L), region.HomeOf(3));
    }

    [Fact]
    public void A_receiving_region_does_not_serve_until_confirmed_and_discards_what_it_got_when_another_home_wins()
    {
        var region = new ShardRegion(B, hostsShards: true, Settings, TimeSpan.FromSeconds(5));
        region.MembershipChanged(State(A, B, Origin), T0);
        region.Receive(A, new QueryRegion(1), T0);
        var session = SessionIn(4);

        var received = region.Receive(A, new ShardTransfer(4, 6, 0, 1, [Session(session)]), T0);

        Assert.Contains(new SendToNode(A.Address, new ShardTransferAck(4, 6, 0)), received);
        Assert.Contains(new SendToNode(A.Address, new ShardReceived(1, 4, 6)), received);
        Assert.False(region.IsServing(4));
        Assert.Equal(HostedShardStatus.Received, Assert.Single(region.HeldShards).Status);

        var givenBack = region.Receive(A, new ShardHomes(1, [new ShardAllocation(4, A.Address, 7)]), T0);

        Assert.DoesNotContain(givenBack, effect => effect is StartShard);
        Assert.False(region.IsServing(4));
        Assert.Empty(region.HeldShards);
    }

    [Fact]
    public void A_confirmed_receiver_starts_the_shard_with_the_sessions_it_received()
    {
        var region = new ShardRegion(B, hostsShards: true, Settings, TimeSpan.FromSeconds(5));
        region.MembershipChanged(State(A, B, Origin), T0);
        region.Receive(A, new QueryRegion(1), T0);
        var session = SessionIn(4);
        region.Receive(A, new ShardTransfer(4, 6, 0, 1, [Session(session)]), T0);

        var effects = region.Receive(A, new ShardHomes(1, [new ShardAllocation(4, B.Address, 6)]), T0);

        var start = Assert.IsType<StartShard>(Assert.Single(effects));
        Assert.Equal(session.Value, Assert.Single(start.Sessions).Id);
        Assert.True(region.IsServing(4));
    }

    [Fact]
    public void When_the_buffer_is_full_a_request_fails_at_once_and_is_not_applied()
    {
        var region = new ShardRegion(Origin, hostsShards: false, Settings, TimeSpan.FromSeconds(5));
        region.MembershipChanged(State(A, B, Origin), T0);
        for (var i = 1; i <= Settings.BufferSize; i++)
        {
            Assert.DoesNotContain(region.Submit(i, new GetSession(SessionIn(1)), T0), effect => effect is CompleteRequest);
        }

        var effects = region.Submit(99, new GetSession(SessionIn(1)), T0);

        var complete = Assert.IsType<CompleteRequest>(Assert.Single(effects));
        var unavailable = Assert.IsType<ShardUnavailable>(complete.Reply);
        Assert.False(unavailable.MayHaveApplied);
        Assert.Equal(Settings.BufferSize, region.BufferedCount);
    }

    [Fact]
    public void Buffered_requests_time_out_with_503_after_the_request_timeout()
    {
        var region = new ShardRegion(Origin, hostsShards: false, Settings, TimeSpan.FromSeconds(5));
        region.MembershipChanged(State(A, B, Origin), T0);
        region.Submit(1, new GetSession(SessionIn(1)), T0);

        Assert.DoesNotContain(region.Tick(T0.AddSeconds(4.9)), effect => effect is CompleteRequest);
        var effects = region.Tick(T0.AddSeconds(5));

        var complete = Assert.IsType<CompleteRequest>(Assert.Single(effects, effect => effect is CompleteRequest));
        Assert.False(Assert.IsType<ShardUnavailable>(complete.Reply).MayHaveApplied);
        Assert.Equal(0, region.PendingCount);
    }

    [Fact]
    public void A_request_sent_to_a_home_that_then_leaves_waits_for_the_next_home_and_goes_there()
    {
        var region = FrontWithShard2OnB(Settings);
        var increment = new IncrementAttribute(SessionIn(2), "n", 1, IncrementAttribute.NewOperationId());
        var sent = region.Submit(1, increment, T0);
        Assert.Equal(B.Address, Assert.IsType<SendToNode>(Assert.Single(sent)).To);

        var effects = region.MembershipChanged(State(A, Origin), T0);

        // Not failed: held, and the coordinator asked where the shard lives now.
        Assert.DoesNotContain(effects, effect => effect is CompleteRequest);
        Assert.Contains(new SendToNode(A.Address, new GetShardHome(2)), effects);
        Assert.Equal((null, 3L), region.HomeOf(2));

        var resent = region.Receive(A, new ShardHomes(1, [new ShardAllocation(2, A.Address, 4)]), T0);
        var envelope = Assert.IsType<ShardEnvelope>(Assert.IsType<SendToNode>(Assert.Single(resent)).Message);
        Assert.Same(increment, envelope.Command);
    }

    [Fact]
    public void A_request_its_home_does_not_answer_is_sent_again_where_the_coordinator_says_and_the_first_reply_wins()
    {
        // The envelope or its reply is lost (a broken connection), or B is a restarted process at the address of a home
        // that crashed: B stays a live member, so nothing but the silence says anything is wrong.
        var region = FrontWithShard2OnB(Settings);
        var increment = new IncrementAttribute(SessionIn(2), "n", 1, IncrementAttribute.NewOperationId());
        Assert.Equal(B.Address, Assert.IsType<SendToNode>(Assert.Single(region.Submit(1, increment, T0))).To);

        Assert.Empty(region.Tick(T0.AddSeconds(1.9)));
        var effects = region.Tick(T0.AddSeconds(2));

        // The cached home is forgotten and the coordinator asked; the request waits for its answer, not failed.
        Assert.Equal([new SendToNode(A.Address, new GetShardHome(2))], effects);
        Assert.Equal((null, 3L), region.HomeOf(2));
        var resent = region.Receive(A, new ShardHomes(1, [new ShardAllocation(2, A.Address, 4)]), T0.AddSeconds(2));
        var envelope = Assert.IsType<ShardEnvelope>(Assert.IsType<SendToNode>(Assert.Single(resent)).Message);
        Assert.Equal((1L, 4L), (envelope.RequestId, envelope.Epoch));
        Assert.Same(increment, envelope.Command);

        var reply = new AttributeValue("n", System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(1));
        var completed = region.Receive(A, new ShardReply(1, reply), T0.AddSeconds(2.1));
        Assert.Equal(new CompleteRequest(1, reply), Assert.Single(completed));
        Assert.Empty(region.Receive(B, new ShardReply(1, reply), T0.AddSeconds(2.2)));
        Assert.Equal(0, region.PendingCount);
    }

    [Fact]
    public void An_unanswered_request_is_sent_again_at_most_twice_then_fails_at_its_deadline_as_possibly_applied()
    {
        var region = FrontWithShard2OnB(Settings);
        region.Submit(1, new GetSession(SessionIn(2)), T0);
        var sends = 1;
        for (var at = 0.1; at <= 4.95; at += 0.1)
        {
            var now = T0.AddSeconds(at);
            var effects = region.Tick(now);
            if (effects.Any(effect => effect is SendToNode { Message: GetShardHome }))
            {
                // The coordinator names B again, as it would for a home that is only slow.
                sends += region.Receive(A, new ShardHomes(1, [new ShardAllocation(2, B.Address, 3)]), now).Count(effect => effect is SendToNode { Message: ShardEnvelope });
            }
        }

        Assert.Equal(3, sends);
        var failed = Assert.IsType<CompleteRequest>(Assert.Single(region.Tick(T0.AddSeconds(5)), effect => effect is CompleteRequest));
        Assert.True(Assert.IsType<ShardUnavailable>(failed.Reply).MayHaveApplied);
    }

    [Fact]
    public void An_unanswered_set_is_not_sent_again_as_a_repeat_could_undo_a_later_write()
    {
        var region = FrontWithShard2OnB(Settings);
        region.Submit(1, new SetAttribute(SessionIn(2), "a", "1"u8.ToArray()), T0);

        Assert.Empty(region.Tick(T0.AddSeconds(4.9)));
        Assert.Equal((B.Address, 3L), region.HomeOf(2));
        var failed = Assert.IsType<CompleteRequest>(Assert.Single(region.Tick(T0.AddSeconds(5)), effect => effect is CompleteRequest));
        Assert.True(Assert.IsType<ShardUnavailable>(failed.Reply).MayHaveApplied);
    }

    [Fact]
    public void With_resend_unanswered_after_zero_a_request_waits_for_its_home_until_the_deadline()
    {
        var region = FrontWithShard2OnB(Settings with { ResendUnansweredAfter = TimeSpan.Zero });
        region.Submit(1, new GetSession(SessionIn(2)), T0);

        Assert.Empty(region.Tick(T0.AddSeconds(4.9)));
        Assert.Equal((B.Address, 3L), region.HomeOf(2));
        Assert.IsType<CompleteRequest>(Assert.Single(region.Tick(T0.AddSeconds(5)), effect => effect is CompleteRequest));
    }

    [Fact]
    public void A_request_a_home_left_unanswered_on_the_direct_path_makes_the_region_ask_the_coordinator_before_sending_it()
    {
        var region = FrontWithShard2OnB(Settings);
        region.Receive(A, new ShardHomes(1, [new ShardAllocation(3, B.Address, 3)]), T0);

        var effects = region.Submit(1, new GetSession(SessionIn(2)), T0, sentBefore: true, unansweredBy: B.Address);

        Assert.Equal([new SendToNode(A.Address, new GetShardHome(2))], effects);
        // A node that is not the cached home changes nothing.
        var direct = region.Submit(2, new GetSession(SessionIn(3)), T0, unansweredBy: A.Address);
        Assert.Equal(B.Address, Assert.IsType<SendToNode>(Assert.Single(direct)).To);
    }

    [Fact]
    public void A_node_out_of_the_membership_drops_every_shard_and_serves_nothing()
    {
        var region = ServingRegion(3, out var session);

        var effects = region.MembershipChanged(State(B, Origin), T0);

        Assert.Equal(new DropShard(3), Assert.Single(effects));
        Assert.True(region.IsStopped);
        Assert.False(region.IsServing(3));
        var refused = Assert.IsType<CompleteRequest>(Assert.Single(region.Submit(1, new GetSession(session), T0)));
        Assert.IsType<ShardUnavailable>(refused.Reply);
    }

    [Fact]
    public void A_message_naming_a_shard_beyond_the_shard_count_is_dropped()
    {
        var region = ServingRegion(3, out var session);

        Assert.Empty(region.Receive(Origin, new ShardEnvelope(1, Origin.Address, 10, 5, new GetSession(session)), T0));
        Assert.Empty(region.Receive(B, new ShardTransferAck(99, 1, 0), T0));
        Assert.Empty(region.Receive(B, new ShardTransfer(-1, 1, 0, 1, []), T0));
    }

    internal static CurrentClusterState State(params UniqueAddress[] members) =>
        new(
            members[0],
            [.. members.Select((member, index) => new Member(member, MemberStatus.Up, [member == Origin ? "front" : "worker"], index + 1))],
            [],
            members[0],
            IsConverged: true);

    private static SessionId SessionIn(int shard)
    {
        for (var i = 0UL; ; i++)
        {
            var id = new SessionId(new UInt128(0x5eed, i));
            if (ShardId.Of(id, Settings.NumberOfShards) == shard)
            {
                return id;
            }
        }
    }

    private static SessionCrdt Session(SessionId id) => SessionCrdt.Create(id.Value, T0, TimeSpan.FromMinutes(30));
}
