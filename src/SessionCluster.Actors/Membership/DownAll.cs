namespace SessionCluster.Actors.Membership;

/// <summary>Any stable split downs every member: for deployments that prefer a full restart to any risk of two
/// clusters (an orchestrator brings the nodes back).</summary>
public sealed class DownAll : IDowningStrategy
{
    public const string StrategyName = "down-all";

    public string Name => StrategyName;

    public DowningDecision Decide(SplitSides sides) => DowningDecision.DownAll;
}
