namespace SessionCluster.Cmd.Api;

/// <summary>A successful answer of the management API: the parsed document and the JSON exactly as the node sent it (what <c>--json</c> prints).</summary>
public sealed record ApiAnswer<T>(T Value, string Json);
