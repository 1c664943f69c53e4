using SessionCluster.Cmd.Api;
using SessionCluster.Cmd.Model;
using SessionCluster.Cmd.Rendering;
using Spectre.Console;

namespace SessionCluster.Cmd.Commands;

/// <summary>Prints the answer to a management action: the node's JSON with <c>--json</c>, else one sentence.</summary>
public static class ActionOutput
{
    public static async Task Write(CommandContext context, Task<ApiAnswer<ActionResult>> action)
    {
        var answer = await action;
        if (context.Json)
        {
            context.WriteJson(answer.Json);
        }
        else
        {
            context.Console.WriteLine(ActionRenderer.Sentence(answer.Value));
        }
    }
}
