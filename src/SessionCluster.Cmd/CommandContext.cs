using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using SessionCluster.Cmd.Api;
using Spectre.Console;

namespace SessionCluster.Cmd;

/// <summary>What a command's body works with: the client of the asked node, where to draw, whether to print JSON, the clock.</summary>
public sealed class CommandContext(ManagementClient client, CliEnvironment environment, bool json)
{
    public ManagementClient Client { get; } = client;

    public IAnsiConsole Console => environment.Console;

    public TimeProvider Time => environment.Time;

    /// <summary>True with <c>--json</c>: print documents to <see cref="WriteJson(string)"/>, not tables.</summary>
    public bool Json { get; } = json;

    /// <summary>Writes one JSON document (as received, or already serialized) on its own line.</summary>
    public void WriteJson(string json)
    {
        environment.Out.WriteLine(json);
        environment.Out.Flush();
    }

    /// <summary>Writes a line on stderr that does not end the command (a watch's failed read).</summary>
    public void WriteWarning(string message)
    {
        environment.Error.WriteLine("sessionctl: " + message);
        environment.Error.Flush();
    }

    /// <summary>Writes one computed view as JSON on its own line.</summary>
    public void WriteJson<T>(T value, JsonTypeInfo<T> type) => WriteJson(JsonSerializer.Serialize(value, type));
}
