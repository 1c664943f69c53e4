using SessionCluster.Cmd.Model;

namespace SessionCluster.Cmd.Rendering;

/// <summary>Says in one sentence what a management action set in motion.</summary>
public static class ActionRenderer
{
    public static string Sentence(ActionResult result) => result.Action switch
    {
        "leave" => $"{result.Address} is leaving the cluster (a worker hands its shards off first).",
        "down" => $"{result.Address} is marked Down; the leader removes it.",
        "down-unreachable" => result.Downed is { Count: > 0 } downed
            ? $"Downed {downed.Count} unreachable member{(downed.Count == 1 ? "" : "s")}: {string.Join(", ", downed)}."
            : "No member was unreachable; nothing downed.",
        "drain" => $"{result.Address} is draining: it hands off every shard with its sessions, then leaves the cluster and exits.",
        "weight" => $"{result.Address} now has capacity weight {result.Weight}{(result.Weight == 0 ? " (it hosts no shards; the coordinator moves them away)" : "")}.",
        "rebalance" => "The coordinator runs a rebalance round now.",
        _ => $"The node accepted '{result.Action}'{(result.Address is null ? "" : $" for {result.Address}")}.",
    };
}
