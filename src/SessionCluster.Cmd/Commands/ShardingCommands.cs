using System.CommandLine;
using System.Text.Json;
using SessionCluster.Cmd.Api;
using SessionCluster.Cmd.Model;
using SessionCluster.Cmd.Rendering;
using SessionCluster.Cmd.Views;
using Spectre.Console;

namespace SessionCluster.Cmd.Commands;

/// <summary><c>sessionctl sharding …</c>: regions, shards, stats, rebalance and the live watch.</summary>
public static class ShardingCommands
{
    public static Command Create(CommandRunner runner)
    {
        var sharding = new Command("sharding", "where the shards are");

        var regions = new Command("regions", "every shard region the coordinator knows: weight, draining, shard, backup and session counts");
        regions.SetAction(runner.Action(async (context, _, cancellation) =>
        {
            var answer = context.Client.GetRegionsAsync(cancellation);
            if (context.Json)
            {
                context.WriteJson((await answer).Json);
                return;
            }

            // The table names each region's route too, which only the membership knows.
            var members = context.Client.GetMembersAsync(cancellation);
            ShardingRenderer.Regions(context.Console, (await answer).Value, (await members).Value);
        }));
        sharding.Add(regions);

        var home = new Option<string?>("--home")
        {
            Description = "only the shards whose home is this worker (its cluster address host:port, or its route name)",
            HelpName = "host:port|route",
        };
        home.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<string?>() is { } text && !AddressArgument.IsAddressOrRoute(text))
            {
                result.AddError($"--home '{text}' is neither a cluster address nor a route name: expected host:port or a route as 'sessionctl cluster show' lists them.");
            }
        });
        var shards = new Command("shards", "the shard table: each shard's home, epoch, backups and sessions") { home };
        shards.SetAction(runner.Action(async (context, parse, cancellation) =>
        {
            var answer = await context.Client.GetShardsAsync(cancellation);
            var only = parse.GetValue(home) is { } given ? await AddressArgument.ResolveAsync(context.Client, given, cancellation) : null;
            if (context.Json)
            {
                // Unfiltered: the node's JSON as sent. Filtered: the same shape with fewer shards.
                context.WriteJson(only is null ? answer.Json : JsonSerializer.Serialize(ShardingRenderer.Filter(answer.Value, only), ApiJsonContext.Default.ShardTableDocument));
            }
            else
            {
                ShardingRenderer.Shards(context.Console, answer.Value, only);
            }
        }));
        sharding.Add(shards);

        var stats = new Command("stats", "shards, backups and sessions per node, with a bar chart");
        stats.SetAction(runner.Action(async (context, _, cancellation) =>
        {
            var table = context.Client.GetShardsAsync(cancellation);
            var members = context.Client.GetMembersAsync(cancellation);
            var computed = ShardingStats.Compute((await table).Value, (await members).Value);
            if (context.Json)
            {
                context.WriteJson(computed, ApiJsonContext.Default.ShardingStats);
            }
            else
            {
                ShardingRenderer.Stats(context.Console, computed);
            }
        }));
        sharding.Add(stats);

        var rebalance = new Command("rebalance", "make the coordinator run a rebalance round now (needs the token)");
        rebalance.SetAction(runner.Action((context, _, cancellation) =>
            ActionOutput.Write(context, context.Client.RebalanceAsync(cancellation))));
        sharding.Add(rebalance);

        var watch = new Command("watch", "a live view of the shards per node, redrawn as they move, until Ctrl+C (with --json: a stats line per change)");
        watch.SetAction(runner.Action((context, _, cancellation) =>
            context.Json ? WatchJsonAsync(context, cancellation)
            : context.Console.Profile.Capabilities is { Ansi: true, Interactive: true } ? WatchLiveAsync(context, cancellation)
            : WatchPlainAsync(context, cancellation)));
        sharding.Add(watch);

        return sharding;
    }

    private static async Task WatchLiveAsync(CommandContext context, CancellationToken cancellation)
    {
        await using var frames = ShardWatch.RunAsync(context.Client, context.Time, ShardWatch.DefaultInterval, cancellation).GetAsyncEnumerator(cancellation);

        // The first read happens before the live view starts, so a node that does not answer is a plain error line.
        if (!await frames.MoveNextAsync())
        {
            return;
        }

        await context.Console.Live(WatchRenderer.Frame(frames.Current, context.Client.Node, context.Console.Profile.Width)).StartAsync(async live =>
        {
            while (await frames.MoveNextAsync())
            {
                live.UpdateTarget(WatchRenderer.Frame(frames.Current, context.Client.Node, context.Console.Profile.Width));
                live.Refresh();
            }
        });
    }

    /// <summary>Not a terminal (a pipe, a log): no redrawing in place; a new frame whenever the distribution or the read error changes.</summary>
    private static async Task WatchPlainAsync(CommandContext context, CancellationToken cancellation)
    {
        (ShardingStats? Stats, string? Error) last = (null, null);
        await foreach (var frame in ShardWatch.RunAsync(context.Client, context.Time, ShardWatch.DefaultInterval, cancellation))
        {
            var stats = JsonSerializer.Serialize(frame.Stats, ApiJsonContext.Default.ShardingStats);
            if (last.Stats is not null && JsonSerializer.Serialize(last.Stats, ApiJsonContext.Default.ShardingStats) == stats && last.Error == frame.Error)
            {
                continue;
            }

            context.Console.Write(WatchRenderer.Frame(frame, context.Client.Node, context.Console.Profile.Width));
            context.Console.WriteLine();
            last = (frame.Stats, frame.Error);
        }
    }

    /// <summary>One <see cref="ShardingStats"/> line whenever the distribution differs from the last line printed; read errors on stderr.</summary>
    private static async Task WatchJsonAsync(CommandContext context, CancellationToken cancellation)
    {
        string? last = null;
        await foreach (var frame in ShardWatch.RunAsync(context.Client, context.Time, ShardWatch.DefaultInterval, cancellation))
        {
            if (frame.Error is { } error)
            {
                context.WriteWarning(error + " Retrying.");
                continue;
            }

            var line = JsonSerializer.Serialize(frame.Stats, ApiJsonContext.Default.ShardingStats);
            if (line != last)
            {
                context.WriteJson(line);
                last = line;
            }
        }
    }
}
