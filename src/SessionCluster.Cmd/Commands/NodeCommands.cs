using System.CommandLine;
using System.Globalization;
using SessionCluster.Cmd.Api;
using SessionCluster.Cmd.Model;

namespace SessionCluster.Cmd.Commands;

/// <summary><c>sessionctl node …</c>: drain a node, set its capacity weight.</summary>
public static class NodeCommands
{
    /// <summary>The weight range the API accepts (<c>/cluster/weight/{address}?value=N</c>).</summary>
    public const int MaxWeight = 100;

    public static Command Create(CommandRunner runner)
    {
        var node = new Command("node", "one node: drain it, weigh it");

        var drainAddress = AddressArgument.Create("the node to drain", allowSelf: true);
        var drain = new Command("drain", "hand off every shard with its sessions, then leave the cluster and exit (as SIGTERM does)") { drainAddress };
        drain.SetAction(runner.Action((context, parse, cancellation) =>
            ActionOutput.Write(context, DrainAsync(context, parse.GetRequiredValue(drainAddress), cancellation))));
        node.Add(drain);

        var weightAddress = AddressArgument.Create("the worker to weigh", allowSelf: true);
        var weight = new Argument<int>("weight") { Description = $"its share of shards relative to the others, 0..{MaxWeight} (0 hosts none)" };
        weight.Validators.Add(result =>
        {
            // A token that is not an integer is System.CommandLine's own error; only the range is checked here.
            if (result.Tokens is [var token] && int.TryParse(token.Value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) && value is < 0 or > MaxWeight)
            {
                result.AddError($"weight {value} is out of range: give an integer from 0 (hosts no shards) to {MaxWeight}.");
            }
        });
        var weigh = new Command("weight", "set a worker's capacity weight; the coordinator moves shards to match") { weightAddress, weight };
        weigh.SetAction(runner.Action((context, parse, cancellation) =>
            ActionOutput.Write(context, WeighAsync(context, parse.GetRequiredValue(weightAddress), parse.GetValue(weight), cancellation))));
        node.Add(weigh);

        return node;
    }

    private static async Task<ApiAnswer<ActionResult>> DrainAsync(CommandContext context, string address, CancellationToken cancellation) =>
        await context.Client.DrainAsync(await AddressArgument.ResolveAsync(context.Client, address, cancellation), cancellation);

    private static async Task<ApiAnswer<ActionResult>> WeighAsync(CommandContext context, string address, int weight, CancellationToken cancellation) =>
        await context.Client.SetWeightAsync(await AddressArgument.ResolveAsync(context.Client, address, cancellation), weight, cancellation);
}
