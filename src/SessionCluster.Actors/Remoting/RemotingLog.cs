using Microsoft.Extensions.Logging;

namespace SessionCluster.Actors.Remoting;

/// <summary>Source-generated log messages of the TCP transport; connection state changes at Information, trouble at
/// Warning, per-message events at Debug (rate-limited where a broken peer could flood the log).</summary>
internal static partial class RemotingLog
{
    [LoggerMessage(EventId = 300, Level = LogLevel.Information, Message = "Remoting listens on {Self} (protocol version {ProtocolVersion}, cluster {ClusterName})")]
    public static partial void Listening(ILogger logger, UniqueAddress self, int protocolVersion, string clusterName);

    [LoggerMessage(EventId = 301, Level = LogLevel.Warning, Message = "No secret is set (session-cluster.remote.secret): any process that can reach {Self} and knows the cluster name can join the cluster")]
    public static partial void NoSecret(ILogger logger, UniqueAddress self);

    [LoggerMessage(EventId = 302, Level = LogLevel.Information, Message = "Connected to {Peer}")]
    public static partial void Connected(ILogger logger, UniqueAddress peer);

    [LoggerMessage(EventId = 303, Level = LogLevel.Information, Message = "Connection to {Peer} closed: {Reason}")]
    public static partial void Disconnected(ILogger logger, NodeAddress peer, string reason);

    [LoggerMessage(EventId = 304, Level = LogLevel.Warning, Message = "Cannot connect to {Peer}: {Reason}; dropped {Dropped} queued messages, retrying in {RetryIn}")]
    public static partial void ConnectFailed(ILogger logger, NodeAddress peer, string reason, int dropped, TimeSpan retryIn);

    [LoggerMessage(EventId = 305, Level = LogLevel.Debug, Message = "Still cannot connect to {Peer} (failure {Failures}): {Reason}; dropped {Dropped} queued messages, retrying in {RetryIn}")]
    public static partial void ConnectStillFailing(ILogger logger, NodeAddress peer, int failures, string reason, int dropped, TimeSpan retryIn);

    [LoggerMessage(EventId = 306, Level = LogLevel.Information, Message = "Accepted {Peer} from {Endpoint}")]
    public static partial void InboundAccepted(ILogger logger, UniqueAddress peer, string endpoint);

    [LoggerMessage(EventId = 307, Level = LogLevel.Warning, Message = "Rejected the handshake from {Endpoint} claiming to be {Claimed}: {Reason} ({Detail})")]
    public static partial void InboundRejected(ILogger logger, string endpoint, string claimed, string reason, string detail);

    [LoggerMessage(EventId = 308, Level = LogLevel.Warning, Message = "Closed the connection from {Endpoint} ({Peer}): {Reason}")]
    public static partial void InboundBadData(ILogger logger, string endpoint, string peer, string reason);

    [LoggerMessage(EventId = 309, Level = LogLevel.Information, Message = "Connection from {Peer} closed")]
    public static partial void InboundClosed(ILogger logger, UniqueAddress peer);

    [LoggerMessage(EventId = 310, Level = LogLevel.Warning, Message = "Outbound queue to {Peer} is full ({Queued} messages, about {QueuedBytes} bytes; the bounds are {Capacity} messages and {MaxBytes} bytes, 0 for none): {Overflowed} messages refused since the last report")]
    public static partial void QueueOverflow(ILogger logger, NodeAddress peer, int queued, long queuedBytes, int capacity, long maxBytes, long overflowed);

    [LoggerMessage(EventId = 311, Level = LogLevel.Error, Message = "Cannot send {MessageType}: it is not registered with the wire serializer; every such message is dropped")]
    public static partial void UnregisteredType(ILogger logger, string messageType);

    [LoggerMessage(EventId = 312, Level = LogLevel.Error, Message = "Dropped a {MessageType} to {Peer}: its envelope takes {Size} bytes, over the frame limit of {MaxFrameSize}")]
    public static partial void MessageTooLarge(ILogger logger, string messageType, NodeAddress peer, int size, int maxFrameSize);

    [LoggerMessage(EventId = 313, Level = LogLevel.Error, Message = "Dropped a {MessageType} to {Peer}: converting it to its wire form failed")]
    public static partial void ToWireFailed(ILogger logger, Exception exception, string messageType, NodeAddress peer);

    [LoggerMessage(EventId = 314, Level = LogLevel.Error, Message = "The transport handler failed on a {MessageType} from {Peer}; the connection goes on")]
    public static partial void HandlerFailed(ILogger logger, Exception exception, string messageType, UniqueAddress peer);

    [LoggerMessage(EventId = 316, Level = LogLevel.Error, Message = "Accepting connections on {Self} failed; the listener stops")]
    public static partial void AcceptFailed(ILogger logger, Exception exception, UniqueAddress self);

    [LoggerMessage(EventId = 317, Level = LogLevel.Debug, Message = "Dropped {Count} messages to {Peer}: the connection broke while they were being written")]
    public static partial void LostInFlight(ILogger logger, int count, NodeAddress peer);

    [LoggerMessage(EventId = 318, Level = LogLevel.Debug, Message = "Connection from {Endpoint} ({Peer}) ended: {Reason}")]
    public static partial void InboundEnded(ILogger logger, string endpoint, string peer, string reason);

    [LoggerMessage(EventId = 319, Level = LogLevel.Warning, Message = "Accepting a connection on {Self} failed; accepting again in {RetryIn}")]
    public static partial void AcceptRetry(ILogger logger, Exception exception, UniqueAddress self, TimeSpan retryIn);

    [LoggerMessage(EventId = 320, Level = LogLevel.Error, Message = "The connection from {Endpoint} ({Peer}) failed unexpectedly and was closed")]
    public static partial void InboundFailed(ILogger logger, Exception exception, string endpoint, string peer);

    [LoggerMessage(EventId = 321, Level = LogLevel.Error, Message = "The transport handler failed on the refused connection to {Peer}; the link goes on")]
    public static partial void RefusalHandlerFailed(ILogger logger, Exception exception, NodeAddress peer);

    [LoggerMessage(EventId = 322, Level = LogLevel.Warning, Message = "Refused the TLS handshake from {Endpoint}: {Reason}")]
    public static partial void InboundTlsRejected(ILogger logger, string endpoint, string reason);

    [LoggerMessage(EventId = 323, Level = LogLevel.Information, Message = "Remoting on {Self} runs TLS with certificate {Subject} (client certificates {ClientCertificates})")]
    public static partial void TlsEnabled(ILogger logger, UniqueAddress self, string subject, string clientCertificates);

    [LoggerMessage(EventId = 324, Level = LogLevel.Warning, Message = "Closed the connection from {Endpoint} at once: {Limit} connections are still handshaking (session-cluster.remote.max-handshaking-connections); {Shed} shed so far")]
    public static partial void ConnectionsShed(ILogger logger, string endpoint, int limit, long shed);
}
