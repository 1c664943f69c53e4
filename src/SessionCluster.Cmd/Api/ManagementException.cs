namespace SessionCluster.Cmd.Api;

/// <summary>A request to the management API that did not succeed: a one-line message for the operator and the exit code it means (<see cref="ExitCodes"/>).</summary>
public sealed class ManagementException(int exitCode, string message, Exception? inner = null) : Exception(OneLine(message), inner)
{
    public int ExitCode { get; } = exitCode;

    /// <summary>Messages end up on one stderr line, whatever a node put in its error text.</summary>
    private static string OneLine(string message) =>
        string.Join(' ', message.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
}
