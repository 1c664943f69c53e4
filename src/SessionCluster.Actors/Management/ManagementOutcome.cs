namespace SessionCluster.Actors.Management;

/// <summary>How a management action ended, as the HTTP status to answer and, for a failure, one sentence saying why.</summary>
public sealed record ManagementOutcome(int Status, string Error = "")
{
    /// <summary>True for a 2xx status.</summary>
    public bool Succeeded => Status is >= 200 and < 300;

    public static ManagementOutcome Accepted { get; } = new(202);

    public static ManagementOutcome Ok { get; } = new(200);
}
