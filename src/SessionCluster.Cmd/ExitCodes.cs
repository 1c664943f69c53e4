namespace SessionCluster.Cmd;

/// <summary>The exit codes of sessionctl, documented in the README; scripts branch on them.</summary>
public static class ExitCodes
{
    /// <summary>The command did what it was asked (for <c>tail</c> and <c>watch</c>: until Ctrl+C).</summary>
    public const int Success = 0;

    /// <summary>The node answered with an error: bad token (401), actions disabled (403), not a member (404), bad value (400), too many attempts (429), not ready (503).</summary>
    public const int Refused = 1;

    /// <summary>The command line is wrong: unknown command or option, missing or malformed argument.</summary>
    public const int Usage = 2;

    /// <summary>No answer from the node: refused connection, unknown host, timeout, connection or stream closed.</summary>
    public const int Unreachable = 3;

    /// <summary>The node answered, but not with the JSON of the management API (malformed, or another version or program).</summary>
    public const int BadAnswer = 4;

    /// <summary>Interrupted (Ctrl+C) before a one-shot command finished.</summary>
    public const int Interrupted = 130;
}
