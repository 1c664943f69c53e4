namespace SessionCluster.Hosting.Tests.Support;

/// <summary>What <c>/probe</c> answers after a change: the session's id and its keys in ordinal order.</summary>
public sealed record ProbeResult(string Id, string[] Keys);
