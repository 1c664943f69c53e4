using System.Diagnostics.Metrics;

namespace SessionCluster.Actors.Diagnostics;

/// <summary>Every SessionCluster instrument, in the one <see cref="Meter"/> named <see cref="MeterName"/>.</summary>
/// <remarks>
/// <para>Static, as .NET metrics are meant to be: recording is a call on a static field, so the hot paths (a request,
/// a delta acknowledgement, a gossip message) need nothing passed to them, and an instrument nobody listens to costs a
/// branch. Names are dotted and lower case (<c>sessioncluster.http.requests</c>); the Prometheus exporter turns them
/// into <c>sessioncluster_http_requests_total</c>. Callers pass pre-built tag arrays, never a new one per call.</para>
/// <para>Gauges are observed at collection time from what the nodes in this process register
/// (<see cref="Register"/>); a process normally runs one node, and test hosts that run several see their sum.</para>
/// </remarks>
public static class SessionClusterMetrics
{
    /// <summary>The meter's name, which exporters listen for.</summary>
    public const string MeterName = "SessionCluster";

    /// <summary>Bucket bounds of the latency histograms, in seconds: a local session request takes about a
    /// millisecond, a replicated write a few, a request waiting for a failover up to a second or more.</summary>
    public static readonly IReadOnlyList<double> LatencyBuckets =
        [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

    private static readonly List<NodeGauges> Sources = [];

    public static readonly Meter Meter = new(MeterName);

    /// <summary>Session HTTP requests answered, by route template, method and status class (2xx, 4xx, 5xx...).</summary>
    public static readonly Counter<long> HttpRequests = Meter.CreateCounter<long>(
        "sessioncluster.http.requests", "{request}", "Session HTTP requests answered by this node, by route template, method and status class.");

    /// <summary>Time from a session request's arrival to its answer, in seconds.</summary>
    public static readonly Histogram<double> HttpRequestDuration = Meter.CreateHistogram(
        "sessioncluster.http.request.duration", "s", "Time this node took to answer a session HTTP request.",
        tags: null, advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = LatencyBuckets });

    /// <summary>Shards this node took over by hand-off (a move or a rebalance), counted when they start serving here.</summary>
    public static readonly Counter<long> Handoffs = Meter.CreateCounter<long>(
        "sessioncluster.shard.handoffs", "{handoff}", "Shards handed off to this node (moves and rebalances) that started serving here.");

    /// <summary>Shards this node started serving from its backup copy because their home died (promotions).</summary>
    public static readonly Counter<long> Failovers = Meter.CreateCounter<long>(
        "sessioncluster.shard.failovers", "{failover}", "Backup copies on this node promoted to serve their shard after its home was lost.");

    /// <summary>How long a reply waited for its writes to be acknowledged by the shard's backups, in seconds.</summary>
    /// <remarks>Recorded only for replies that had to wait (write consistency above <c>local</c>), so it is the
    /// replication lag a client sees; a delta that is never acknowledged shows up as a 503 at the write timeout.</remarks>
    public static readonly Histogram<double> ReplicationAckDuration = Meter.CreateHistogram(
        "sessioncluster.replication.ack.duration", "s", "Time a reply waited for its writes to be acknowledged by the shard's backups.",
        tags: null, advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = LatencyBuckets });

    /// <summary>Messages refused by full bounded actor mailboxes (requests answered as overloaded, gossip re-sent anyway).</summary>
    public static readonly Counter<long> MailboxOverflows = Meter.CreateCounter<long>(
        "sessioncluster.actors.mailbox.overflows", "{message}", "Messages refused because an actor's bounded mailbox was full (requests get 503).");

    /// <summary>Sessions from other nodes left out because they broke this node's session limits, by how they came
    /// (<c>handoff</c>, <c>copy</c>, <c>repair</c>); any at all means a peer is misconfigured, buggy or hostile.</summary>
    public static readonly Counter<long> SessionsRejectedOverLimit = Meter.CreateCounter<long>(
        "sessioncluster.sessions.rejected_over_limit", "{session}", "Sessions from other nodes left out for breaking this node's session limits, by source.");

    /// <summary>New sessions refused because this node served <c>sessions.max-active-sessions</c> already (answered 503).</summary>
    public static readonly Counter<long> SessionCreationsRefused = Meter.CreateCounter<long>(
        "sessioncluster.sessions.creations_refused", "{session}", "New sessions refused because this node served sessions.max-active-sessions already.");

    /// <summary>Tags of <see cref="SessionsRejectedOverLimit"/> for a session in a hand-off slice.</summary>
    public static readonly KeyValuePair<string, object?>[] RejectedFromHandoff = [new("source", "handoff")];

    /// <summary>Tags of <see cref="SessionsRejectedOverLimit"/> for a session in a whole-copy slice to a backup.</summary>
    public static readonly KeyValuePair<string, object?>[] RejectedFromCopy = [new("source", "copy")];

    /// <summary>Tags of <see cref="SessionsRejectedOverLimit"/> for a session a backup pushed in anti-entropy repair.</summary>
    public static readonly KeyValuePair<string, object?>[] RejectedFromRepair = [new("source", "repair")];

    /// <summary>Gossip messages sent and received by this node's membership, by direction.</summary>
    public static readonly Counter<long> GossipMessages = Meter.CreateCounter<long>(
        "sessioncluster.gossip.messages", "{message}", "Membership gossip messages sent (one a gossip round, plus replies) and received.");

    /// <summary>Tags of <see cref="GossipMessages"/> for a message sent.</summary>
    public static readonly KeyValuePair<string, object?>[] GossipSent = [new("direction", "sent")];

    /// <summary>Tags of <see cref="GossipMessages"/> for a message received.</summary>
    public static readonly KeyValuePair<string, object?>[] GossipReceived = [new("direction", "received")];

    static SessionClusterMetrics()
    {
        Meter.CreateObservableGauge("sessioncluster.sessions.hosted", () => Sum(gauges => gauges.SessionsHosted), "{session}",
            "Sessions in the shards this node serves.");
        Meter.CreateObservableGauge("sessioncluster.shards.hosted", () => Sum(gauges => gauges.ShardsHosted), "{shard}",
            "Shards this node hosts (serving, or handing off).");
        Meter.CreateObservableGauge("sessioncluster.shards.backups", () => Sum(gauges => gauges.BackupCopies), "{shard}",
            "Backup copies of shards served elsewhere that this node keeps.");
        Meter.CreateObservableGauge("sessioncluster.members.up", () => Sum(gauges => gauges.UpMembers), "{member}",
            "Members this node sees Up.");
        Meter.CreateObservableGauge("sessioncluster.members.unreachable", () => Sum(gauges => gauges.UnreachableMembers), "{member}",
            "Members this node's view marks unreachable.");

        Meter.CreateObservableCounter("sessioncluster.remote.messages.sent", () => Sum(gauges => gauges.RemoteMessagesSent), "{message}",
            "Cluster messages written to sockets.");
        Meter.CreateObservableCounter("sessioncluster.remote.messages.received", () => Sum(gauges => gauges.RemoteMessagesReceived), "{message}",
            "Cluster messages received and decoded.");
        Meter.CreateObservableCounter("sessioncluster.remote.messages.dropped", () => Sum(gauges => gauges.RemoteMessagesDropped), "{message}",
            "Cluster messages lost: queued for an unreachable peer, in a failed write, over the frame limit, or malformed.");
        Meter.CreateObservableCounter("sessioncluster.remote.queue.overflows", () => Sum(gauges => gauges.RemoteQueueOverflows), "{message}",
            "Sends refused because a peer's outbound queue was full (remote.outbound-queue-size or outbound-queue-max-bytes).");
        Meter.CreateObservableGauge("sessioncluster.remote.outbound.queued", () => Sum(gauges => gauges.RemoteOutboundQueued), "{message}",
            "Messages waiting in the outbound queues to other nodes.");
        Meter.CreateObservableGauge("sessioncluster.remote.outbound.queued.size", () => Sum(gauges => gauges.RemoteOutboundQueuedBytes), "By",
            "Estimated wire bytes of the messages waiting in the outbound queues.");
        Meter.CreateObservableCounter("sessioncluster.remote.connections.refused", () => Sum(gauges => gauges.RemoteConnectionsRefused), "{connection}",
            "Inbound cluster connections refused at the handshake or closed for bad input (garbage, wrong secret or cluster).");

        Meter.CreateObservableGauge("sessioncluster.process.gc.heap.size", static () => GC.GetTotalMemory(forceFullCollection: false), "By",
            "Managed heap bytes allocated and not yet collected.");
        Meter.CreateObservableGauge("sessioncluster.process.memory.working_set", static () => Environment.WorkingSet, "By",
            "Physical memory mapped to the process.");
        Meter.CreateObservableCounter("sessioncluster.process.cpu.time", static () => Environment.CpuUsage.TotalTime.TotalSeconds, "s",
            "Processor time the process has used, user and kernel.");
        Meter.CreateObservableCounter("sessioncluster.process.gc.allocated", static () => GC.GetTotalAllocatedBytes(), "By",
            "Managed bytes allocated since the process started; per request served, what a request costs the GC.");
        Meter.CreateObservableCounter("sessioncluster.process.gc.collections", static () => GcCollections(), "{collection}",
            "Garbage collections since the process started, by generation.");
        Meter.CreateObservableGauge("sessioncluster.process.thread_pool.threads", static () => ThreadPool.ThreadCount, "{thread}",
            "Thread-pool threads that exist now.");
    }

    /// <summary>Adds a node's gauge readings to the observable gauges until the returned handle is disposed.</summary>
    public static IDisposable Register(NodeGauges gauges)
    {
        ArgumentNullException.ThrowIfNull(gauges);
        lock (Sources)
        {
            Sources.Add(gauges);
        }

        return new Registration(gauges);
    }

    /// <summary>The sum over registered nodes that report <paramref name="reading"/>; nothing when none does (a
    /// Lighthouse reports no sessions, so its exposition has no session gauge rather than a misleading zero).</summary>
    private static IEnumerable<Measurement<long>> Sum(Func<NodeGauges, Func<long>?> reading)
    {
        long total = 0;
        var any = false;
        lock (Sources)
        {
            foreach (var source in Sources)
            {
                if (reading(source) is { } read)
                {
                    total += read();
                    any = true;
                }
            }
        }

        return any ? [new Measurement<long>(total)] : [];
    }

    private static IEnumerable<Measurement<long>> GcCollections()
    {
        for (var generation = 0; generation <= GC.MaxGeneration; generation++)
        {
            yield return new Measurement<long>(GC.CollectionCount(generation), new KeyValuePair<string, object?>("generation", "gen" + generation));
        }
    }

    private sealed class Registration(NodeGauges gauges) : IDisposable
    {
        public void Dispose()
        {
            lock (Sources)
            {
                Sources.Remove(gauges);
            }
        }
    }
}
