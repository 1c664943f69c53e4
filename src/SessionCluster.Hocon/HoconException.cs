namespace SessionCluster.Hocon;

/// <summary>A HOCON syntax or resolution error, located at <c>file:line:column</c>.</summary>
public sealed class HoconException : Exception
{
    public HoconException(HoconOrigin origin, string problem, Exception? innerException = null)
        : base($"{origin}: {problem}", innerException)
    {
        Origin = origin;
        Problem = problem;
    }

    /// <summary>Where the problem was detected.</summary>
    public HoconOrigin Origin { get; }

    /// <summary>What went wrong, without the location prefix.</summary>
    public string Problem { get; }

    public string File => Origin.File;

    public int Line => Origin.Line;

    public int Column => Origin.Column;
}
