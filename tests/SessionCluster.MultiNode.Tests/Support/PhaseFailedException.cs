namespace SessionCluster.MultiNode.Tests.Support;

/// <summary>A phase of a multi-node spec failed; the message names the phase and carries every node's log.</summary>
internal sealed class PhaseFailedException(string message, Exception inner) : Exception(message, inner);
