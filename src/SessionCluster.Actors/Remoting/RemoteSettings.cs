using System.Text;
using Microsoft.Extensions.Configuration;
using SessionCluster.Actors.Hosting;

namespace SessionCluster.Actors.Remoting;

/// <summary>How a node talks to its peers over TCP, bound from <c>session-cluster.remote</c>; defaults live in reference.conf.</summary>
/// <param name="Hostname">The address to listen on, and the host other nodes are told to reach this node at.</param>
/// <param name="Port">The TCP port to listen on; 0 takes any free port (the transport's <c>Self</c> then shows the one bound).</param>
/// <param name="ClusterName">Nodes of different clusters refuse each other at the handshake.</param>
/// <param name="Secret">Shared by every node of the cluster; proven in the handshake, never sent. Empty means no secret.</param>
/// <param name="MaxFrameSize">Largest frame read or written, in bytes (length prefix excluded); a bigger message is dropped.</param>
/// <param name="OutboundQueueSize">Messages queued per peer before sends are refused and counted as overflow.</param>
/// <param name="BatchMaxMessages">Most messages packed into one frame.</param>
/// <param name="BatchMaxBytes">A frame stops taking messages once it holds this many bytes.</param>
/// <param name="ConnectTimeout">How long one TCP connect may take.</param>
/// <param name="HandshakeTimeout">How long a handshake may take, on either side, before the connection is closed.</param>
/// <param name="WriteTimeout">How long writing one frame may take before the connection is given up as stalled.</param>
/// <param name="ReconnectBackoffMin">Wait after the first failed connect; it doubles on each further failure.</param>
/// <param name="ReconnectBackoffMax">The longest wait between connect attempts.</param>
public sealed record RemoteSettings(
    string Hostname,
    int Port,
    string ClusterName,
    string Secret,
    int MaxFrameSize,
    int OutboundQueueSize,
    int BatchMaxMessages,
    int BatchMaxBytes,
    TimeSpan ConnectTimeout,
    TimeSpan HandshakeTimeout,
    TimeSpan WriteTimeout,
    TimeSpan ReconnectBackoffMin,
    TimeSpan ReconnectBackoffMax)
{
    /// <summary>The protocol this build speaks. Raise it when old nodes could no longer read what new nodes write.</summary>
    /// <remarks>2: increments carry a required operation id, and replicated sessions the increments they applied; a
    /// version-1 node would drop both and count retried increments twice. 3: a hand-off onto a node that backs the shard
    /// up is offered as fingerprints (ShardTransferOffer); a version-2 node would drop the offers and its hand-offs would
    /// time out.</remarks>
    public const int CurrentProtocolVersion = 3;

    /// <summary>The smallest <see cref="MaxFrameSize"/> allowed: room for any handshake and a useful batch.</summary>
    public const int MinFrameSize = 4 * 1024;

    /// <summary>The section of these settings under the configuration root.</summary>
    public const string Section = "remote";

    /// <summary>The protocol version offered in handshakes; not a setting (tests change it to play an incompatible node).</summary>
    public int ProtocolVersion { get; init; } = CurrentProtocolVersion;

    /// <summary>Bytes (as the wire bindings estimate them) queued per peer before sends are refused and counted as
    /// overflow; a queue holding nothing still takes any one message. 0: no byte bound (the default of settings built in
    /// code; reference.conf sets one).</summary>
    public long OutboundQueueMaxBytes { get; init; }

    /// <summary>Messages per second one inbound connection may deliver (a second's worth in a burst); beyond it the
    /// connection is read no faster. 0: no limit (the default of settings built in code; reference.conf sets one).</summary>
    public int InboundMessageRate { get; init; }

    /// <summary>Inbound connections that may be in their handshake at once; newer ones are closed at accept. 0: no limit
    /// (the default of settings built in code; reference.conf sets one).</summary>
    public int MaxHandshakingConnections { get; init; }

    /// <summary>TLS on the cluster port (<c>session-cluster.remote.tls</c>); off unless set.</summary>
    public TlsSettings Tls { get; init; } = TlsSettings.Disabled;

    /// <summary>Binds and validates <c>session-cluster.remote</c>; throws <see cref="SettingsException"/> naming the first bad key.</summary>
    public static RemoteSettings Load(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var reader = new SettingsReader(configuration);
        var settings = new RemoteSettings(
            reader.String(Key("hostname")),
            reader.Int(Key("port"), min: 0, max: 65535),
            reader.String("cluster.name", mustBeToken: true), // one home for the name: the membership checks it too
            reader.String(Key("secret"), allowEmpty: true),
            reader.Size(Key("max-frame-size"), min: MinFrameSize, max: 1024 * 1024 * 1024),
            reader.Int(Key("outbound-queue-size"), min: 1, max: 10_000_000),
            reader.Int(Key("batch-max-messages"), min: 1, max: 1_000_000),
            reader.Size(Key("batch-max-bytes"), min: 1, max: int.MaxValue),
            reader.Duration(Key("connect-timeout"), allowZero: false),
            reader.Duration(Key("handshake-timeout"), allowZero: false),
            reader.Duration(Key("write-timeout"), allowZero: false),
            reader.Duration(Key("reconnect-backoff-min"), allowZero: false),
            reader.Duration(Key("reconnect-backoff-max"), allowZero: false))
        {
            OutboundQueueMaxBytes = reader.Size(Key("outbound-queue-max-bytes"), min: 0, max: int.MaxValue),
            InboundMessageRate = reader.Int(Key("inbound-message-rate"), min: 0, max: int.MaxValue),
            MaxHandshakingConnections = reader.Int(Key("max-handshaking-connections"), min: 0, max: 1_000_000),
            Tls = new TlsSettings(
                reader.Boolean(Key("tls.enabled")),
                reader.String(Key("tls.certificate"), allowEmpty: true),
                reader.String(Key("tls.key"), allowEmpty: true),
                reader.String(Key("tls.certificate-password"), allowEmpty: true),
                reader.String(Key("tls.ca"), allowEmpty: true),
                reader.Boolean(Key("tls.require-client-certificate"))),
        };
        if (settings.Tls.Enabled && settings.Tls.Certificate.Length == 0)
        {
            throw reader.Inconsistent(Key("tls.certificate"), $"must name a certificate file when {SessionClusterSettings.Root}.{Key("tls.enabled")} is on");
        }

        if (settings.Tls.Enabled)
        {
            foreach (var (key, path) in new[] { ("tls.certificate", settings.Tls.Certificate), ("tls.key", settings.Tls.Key), ("tls.ca", settings.Tls.Ca) })
            {
                if (path.Length > 0 && !File.Exists(path))
                {
                    throw reader.Inconsistent(Key(key), "must name an existing file");
                }
            }
        }
        if (settings.BatchMaxBytes > settings.MaxFrameSize)
        {
            throw reader.Inconsistent(Key("batch-max-bytes"), $"must not exceed {SessionClusterSettings.Root}.{Key("max-frame-size")} ({settings.MaxFrameSize} bytes)");
        }

        if (settings.ReconnectBackoffMax < settings.ReconnectBackoffMin)
        {
            throw reader.Inconsistent(Key("reconnect-backoff-max"), $"must not be shorter than {SessionClusterSettings.Root}.{Key("reconnect-backoff-min")}");
        }

        return settings;
    }

    /// <summary>Throws <see cref="ArgumentException"/> naming the first inconsistent value; for settings built in code.</summary>
    public void Validate()
    {
        ArgumentException.ThrowIfNullOrEmpty(Hostname, nameof(Hostname));
        ArgumentOutOfRangeException.ThrowIfNegative(Port, nameof(Port));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(Port, 65535, nameof(Port));
        ArgumentException.ThrowIfNullOrEmpty(ClusterName, nameof(ClusterName));
        ArgumentNullException.ThrowIfNull(Secret, nameof(Secret));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxFrameSize, MinFrameSize, nameof(MaxFrameSize));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(OutboundQueueSize, nameof(OutboundQueueSize));
        ArgumentOutOfRangeException.ThrowIfNegative(OutboundQueueMaxBytes, nameof(OutboundQueueMaxBytes));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(BatchMaxMessages, nameof(BatchMaxMessages));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(BatchMaxBytes, nameof(BatchMaxBytes));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(BatchMaxBytes, MaxFrameSize, nameof(BatchMaxBytes));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(ConnectTimeout, TimeSpan.Zero, nameof(ConnectTimeout));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(HandshakeTimeout, TimeSpan.Zero, nameof(HandshakeTimeout));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(WriteTimeout, TimeSpan.Zero, nameof(WriteTimeout));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(ReconnectBackoffMin, TimeSpan.Zero, nameof(ReconnectBackoffMin));
        ArgumentOutOfRangeException.ThrowIfLessThan(ReconnectBackoffMax, ReconnectBackoffMin, nameof(ReconnectBackoffMax));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(ProtocolVersion, nameof(ProtocolVersion));
        ArgumentOutOfRangeException.ThrowIfNegative(InboundMessageRate, nameof(InboundMessageRate));
        ArgumentOutOfRangeException.ThrowIfNegative(MaxHandshakingConnections, nameof(MaxHandshakingConnections));
        ArgumentNullException.ThrowIfNull(Tls, nameof(Tls));
        Tls.Validate();
    }

    /// <summary>Lists every setting but the secret, which logs must never show: only whether one is set.</summary>
    private bool PrintMembers(StringBuilder builder)
    {
        builder.Append($"Hostname = {Hostname}, Port = {Port}, ClusterName = {ClusterName}, Secret = {(Secret.Length == 0 ? "(none)" : "(set)")}, ");
        builder.Append($"MaxFrameSize = {MaxFrameSize}, OutboundQueueSize = {OutboundQueueSize}, OutboundQueueMaxBytes = {OutboundQueueMaxBytes}, BatchMaxMessages = {BatchMaxMessages}, ");
        builder.Append($"BatchMaxBytes = {BatchMaxBytes}, ConnectTimeout = {ConnectTimeout}, HandshakeTimeout = {HandshakeTimeout}, WriteTimeout = {WriteTimeout}, ");
        builder.Append($"ReconnectBackoffMin = {ReconnectBackoffMin}, ReconnectBackoffMax = {ReconnectBackoffMax}, ProtocolVersion = {ProtocolVersion}, InboundMessageRate = {InboundMessageRate}, MaxHandshakingConnections = {MaxHandshakingConnections}, Tls = {Tls}");
        return true;
    }

    private static string Key(string name) => Section + "." + name;
}
