using SessionCluster.Cmd.Api;
using Spectre.Console;

namespace SessionCluster.Cmd.Commands;

/// <summary>Prints a document a read fetched: the node's own JSON with <c>--json</c>, else through <c>render</c>.</summary>
public static class DocumentOutput
{
    public static async Task Write<T>(CommandContext context, Task<ApiAnswer<T>> read, Action<IAnsiConsole, T> render)
    {
        var answer = await read;
        if (context.Json)
        {
            context.WriteJson(answer.Json);
        }
        else
        {
            render(context.Console, answer.Value);
        }
    }
}
