namespace SessionCluster.Cmd.Model;

/// <summary>The body of every error answer of a node: <c>{"error":"one clear sentence","status":N}</c>.</summary>
public sealed record ErrorDocument(string Error, int Status);
