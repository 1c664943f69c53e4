namespace SessionCluster.Cmd.Model;

/// <summary>The answer to a management action (<c>POST /cluster/…</c>): what was done, to which address; <c>downed</c> for down-unreachable, <c>weight</c> for weight.</summary>
public sealed record ActionResult(
    string Action,
    string? Address = null,
    IReadOnlyList<string>? Downed = null,
    int? Weight = null);
