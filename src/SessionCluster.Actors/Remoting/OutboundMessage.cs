namespace SessionCluster.Actors.Remoting;

/// <summary>A message waiting in a peer's outbound queue, with the binding that will put it on the wire and the bytes
/// it was counted as (<see cref="WireBinding.EstimatedSize"/>).</summary>
internal readonly record struct OutboundMessage(WireBinding Binding, object Message, int EstimatedSize);
