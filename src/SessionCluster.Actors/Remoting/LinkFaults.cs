namespace SessionCluster.Actors.Remoting;

/// <summary>Faults the in-memory network applies to one direction of a link.</summary>
/// <param name="DropRate">Probability (0–1) that a message is lost.</param>
/// <param name="DuplicateRate">Probability (0–1) that a message is delivered twice.</param>
/// <param name="MinDelay">Least transit time.</param>
/// <param name="MaxDelay">Greatest transit time; a spread between the two reorders messages.</param>
/// <param name="Blocked">True while the link is cut (a partition): everything is lost.</param>
public sealed record LinkFaults(double DropRate = 0, double DuplicateRate = 0, TimeSpan MinDelay = default, TimeSpan MaxDelay = default, bool Blocked = false)
{
    /// <summary>A perfect link: no loss, no duplication, no delay.</summary>
    public static readonly LinkFaults None = new();

    /// <summary>True if messages on the link can overtake each other.</summary>
    public bool Reorders => MaxDelay > MinDelay;
}
