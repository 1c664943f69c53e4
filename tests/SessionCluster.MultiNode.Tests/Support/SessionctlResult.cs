using System.Text.Json;

namespace SessionCluster.MultiNode.Tests.Support;

/// <summary>One run of sessionctl: the command line, exit code, what it printed, how long it took.</summary>
internal sealed record SessionctlResult(string Arguments, int ExitCode, string Stdout, string Stderr, TimeSpan Elapsed)
{
    /// <summary>stdout as the JSON document <c>--json</c> prints; fails the spec with the whole run when it is not.</summary>
    public JsonElement Json()
    {
        if (ExitCode != 0)
        {
            throw new InvalidOperationException($"Expected exit code 0: {this}");
        }

        try
        {
            using var document = JsonDocument.Parse(Stdout);
            return document.RootElement.Clone();
        }
        catch (JsonException exception)
        {
            throw new InvalidOperationException($"stdout is not one JSON document ({exception.Message}): {this}", exception);
        }
    }

    public override string ToString() =>
        $"sessionctl {Arguments} -> exit {ExitCode} after {Elapsed.TotalMilliseconds:0} ms; stdout: {Stdout.Trim()}; stderr: {Stderr.Trim()}";
}
