using System.CommandLine;
using SessionCluster.Cmd.Api;
using SessionCluster.Cmd.Model;
using SessionCluster.Cmd.Rendering;
using SessionCluster.Cmd.Views;
using Spectre.Console;

namespace SessionCluster.Cmd.Commands;

/// <summary><c>sessionctl cluster …</c>: membership — show, leader, leave, down, down-unreachable, tail.</summary>
public static class ClusterCommands
{
    public static Command Create(CommandRunner runner)
    {
        var cluster = new Command("cluster", "membership: who is in the cluster, and taking members out");

        var show = new Command("show", "every member: address, roles, status, reachability, leader");
        show.SetAction(runner.Action((context, _, cancellation) =>
            DocumentOutput.Write(context, context.Client.GetMembersAsync(cancellation), ClusterRenderer.Members)));
        cluster.Add(show);

        var leader = new Command("leader", "the leader, and the oldest worker (where the shard coordinator runs)");
        leader.SetAction(runner.Action(async (context, _, cancellation) =>
        {
            var view = LeaderView.From((await context.Client.GetMembersAsync(cancellation)).Value);
            if (context.Json)
            {
                context.WriteJson(view, ApiJsonContext.Default.LeaderView);
            }
            else
            {
                ClusterRenderer.Leader(context.Console, view);
            }
        }));
        cluster.Add(leader);

        var leaveAddress = AddressArgument.Create("the member to leave", allowSelf: true);
        var leave = new Command("leave", "make a member leave gracefully (a worker hands its shards off first)") { leaveAddress };
        leave.SetAction(runner.Action((context, parse, cancellation) =>
            ActionOutput.Write(context, LeaveAsync(context, parse.GetRequiredValue(leaveAddress), cancellation))));
        cluster.Add(leave);

        var downAddress = AddressArgument.Create("the member to down");
        var down = new Command("down", "mark a member Down (for one that is dead; its shards fail over to their backups)") { downAddress };
        down.SetAction(runner.Action((context, parse, cancellation) =>
            ActionOutput.Write(context, DownAsync(context, parse.GetRequiredValue(downAddress), cancellation))));
        cluster.Add(down);

        var downUnreachable = new Command("down-unreachable", "mark every unreachable member Down");
        downUnreachable.SetAction(runner.Action((context, _, cancellation) =>
            ActionOutput.Write(context, context.Client.DownUnreachableAsync(cancellation))));
        cluster.Add(downUnreachable);

        var tail = new Command("tail", "print membership events as the node sees them, one line each, until Ctrl+C");
        tail.SetAction(runner.Action(async (context, _, cancellation) =>
        {
            await foreach (var clusterEvent in context.Client.StreamEventsAsync(cancellation))
            {
                if (context.Json)
                {
                    context.WriteJson(clusterEvent.Json);
                }
                else
                {
                    context.Console.WriteLine(EventFormatter.Line(clusterEvent.Value, context.Time.GetUtcNow()));
                }
            }

            // The enumeration only ends quietly on Ctrl+C, which is how a tail is meant to stop.
        }));
        cluster.Add(tail);

        return cluster;
    }

    private static async Task<ApiAnswer<ActionResult>> DownAsync(CommandContext context, string address, CancellationToken cancellation) =>
        await context.Client.DownAsync(await AddressArgument.ResolveAsync(context.Client, address, cancellation), cancellation);

    private static async Task<ApiAnswer<ActionResult>> LeaveAsync(CommandContext context, string address, CancellationToken cancellation) =>
        await context.Client.LeaveAsync(await AddressArgument.ResolveAsync(context.Client, address, cancellation), cancellation);
}
