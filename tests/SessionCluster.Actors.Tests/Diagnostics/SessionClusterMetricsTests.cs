using SessionCluster.Actors.Diagnostics;
using SessionCluster.TestKit;

namespace SessionCluster.Actors.Tests.Diagnostics;

/// <summary>The SessionCluster meter as the exporter shows it: names, types, and gauges fed by registered nodes.</summary>
/// <remarks>The meter is static and other tests in this process record into it too, so recorded counters are compared
/// as "grew by at least", and readings are fed through a registration this test controls. Those are compared exactly,
/// which holds only while no other test's node is running: hence the collection that runs alone.</remarks>
[Collection(nameof(ProcessMeterCollection))]
public sealed class SessionClusterMetricsTests
{
    [Fact]
    public void Counters_Recorded_ExposedUnderPrometheusNames()
    {
        using var collector = new PrometheusCollector();
        SessionClusterMetrics.Handoffs.Add(1);
        SessionClusterMetrics.Failovers.Add(1);
        SessionClusterMetrics.GossipMessages.Add(1, SessionClusterMetrics.GossipSent);
        SessionClusterMetrics.ReplicationAckDuration.Record(0.002);

        var exposition = PrometheusExposition.Parse(collector.Collect());

        Assert.True(exposition.Value("sessioncluster_shard_handoffs_total") >= 1);
        Assert.True(exposition.Value("sessioncluster_shard_failovers_total") >= 1);
        Assert.True(exposition.Value("sessioncluster_gossip_messages_total", ("direction", "sent")) >= 1);
        Assert.True(exposition.Value("sessioncluster_replication_ack_duration_seconds_bucket", ("le", "0.0025")) >= 1);
        Assert.Equal("histogram", exposition.Families["sessioncluster_replication_ack_duration_seconds"].Type);
        Assert.True(exposition.Value("sessioncluster_process_gc_heap_size_bytes") > 0);
        Assert.True(exposition.Value("sessioncluster_process_memory_working_set_bytes") > 0);
    }

    [Fact]
    public void Allocated_bytes_grow_by_at_least_what_this_thread_allocated()
    {
        using var collector = new PrometheusCollector();
        var before = PrometheusExposition.Parse(collector.Collect()).Value("sessioncluster_process_gc_allocated_bytes_total");
        var kept = new byte[1 << 20];

        var after = PrometheusExposition.Parse(collector.Collect()).Value("sessioncluster_process_gc_allocated_bytes_total");

        Assert.Equal("counter", PrometheusExposition.Parse(collector.Collect()).Families["sessioncluster_process_gc_allocated_bytes_total"].Type);
        Assert.True(after - before >= kept.Length, $"grew by {after - before} bytes after a {kept.Length}-byte allocation");
    }

    [Fact]
    public void Gauges_RegisteredNode_ReadAtCollectionAndGoneAfterDisposal()
    {
        using var collector = new PrometheusCollector();
        var before = PrometheusExposition.Parse(collector.Collect()).Find("sessioncluster_shards_backups") ?? 0;
        long backups = 7;
        var registration = SessionClusterMetrics.Register(new NodeGauges { BackupCopies = () => backups });

        var first = PrometheusExposition.Parse(collector.Collect()).Value("sessioncluster_shards_backups");
        backups = 9;
        var second = PrometheusExposition.Parse(collector.Collect()).Value("sessioncluster_shards_backups");
        registration.Dispose();
        var after = PrometheusExposition.Parse(collector.Collect()).Find("sessioncluster_shards_backups") ?? 0;

        Assert.Equal(before + 7, first);
        Assert.Equal(before + 9, second);
        Assert.Equal(before, after);
    }

    [Fact]
    public void TransportReadings_ExposedAsCountersAndGauges_UnderPrometheusNames()
    {
        using var collector = new PrometheusCollector();
        var before = PrometheusExposition.Parse(collector.Collect());
        using var registration = SessionClusterMetrics.Register(new NodeGauges
        {
            RemoteMessagesSent = () => 1_000,
            RemoteMessagesReceived = () => 900,
            RemoteMessagesDropped = () => 3,
            RemoteQueueOverflows = () => 2,
            RemoteOutboundQueued = () => 40,
            RemoteOutboundQueuedBytes = () => 65_536,
            RemoteConnectionsRefused = () => 5,
        });

        var exposition = PrometheusExposition.Parse(collector.Collect());

        (string Name, string Type, double Value)[] expected =
        [
            ("sessioncluster_remote_messages_sent_total", "counter", 1_000),
            ("sessioncluster_remote_messages_received_total", "counter", 900),
            ("sessioncluster_remote_messages_dropped_total", "counter", 3),
            ("sessioncluster_remote_queue_overflows_total", "counter", 2),
            ("sessioncluster_remote_outbound_queued", "gauge", 40),
            ("sessioncluster_remote_outbound_queued_size_bytes", "gauge", 65_536),
            ("sessioncluster_remote_connections_refused_total", "counter", 5),
        ];
        foreach (var (name, type, value) in expected)
        {
            Assert.Equal(type, exposition.Families[name].Type);
            Assert.Equal((before.Find(name) ?? 0) + value, exposition.Value(name));
        }
    }
}
