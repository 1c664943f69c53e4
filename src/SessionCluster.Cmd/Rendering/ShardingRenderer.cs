using System.Globalization;
using SessionCluster.Cmd.Model;
using SessionCluster.Cmd.Views;
using Spectre.Console;

namespace SessionCluster.Cmd.Rendering;

/// <summary>Renders the sharding views: <c>sharding regions</c>, <c>sharding shards</c> and <c>sharding stats</c>.</summary>
public static class ShardingRenderer
{
    /// <summary>A row per region, with each member's route name from <paramref name="members"/> when given, then the counts.</summary>
    public static void Regions(IAnsiConsole console, RegionsDocument regions, MembersDocument? members = null)
    {
        var routes = (members?.Members ?? []).Where(member => member.Route is not null).ToDictionary(member => member.Address, member => member.Route!, StringComparer.Ordinal);
        var table = new Table().Border(TableBorder.Rounded)
            .AddColumn("Region")
            .AddColumn("Route")
            .AddColumn("Hosts shards")
            .AddColumn(new TableColumn("Weight").RightAligned())
            .AddColumn("Draining")
            .AddColumn(new TableColumn("Shards").RightAligned())
            .AddColumn(new TableColumn("Backups").RightAligned())
            .AddColumn(new TableColumn("Sessions").RightAligned());
        foreach (var region in regions.Regions.OrderBy(region => region.Address, AddressComparer.Instance))
        {
            table.AddRow(
                new Text(region.Address),
                new Text(routes.GetValueOrDefault(region.Address) ?? "-"),
                new Text(region.HostsShards ? "yes" : "no (front)"),
                new Text(Number(region.Weight)),
                region.Draining ? new Markup("[yellow]draining[/]") : new Text("-"),
                new Text(Number(region.Shards)),
                new Text(Number(region.Backups)),
                new Text(region.Sessions is { } sessions ? Number(sessions) : "?"));
        }

        console.Write(table);
        var coordinator = regions.Coordinator is { } address ? NodeLabel.Of(address, routes.GetValueOrDefault(address)) : "unknown";
        console.WriteLine($"{Number(regions.Regions.Count)} regions, {Number(regions.Regions.Count(region => region.HostsShards))} hosting shards; coordinator {coordinator}");
    }

    /// <summary>The shard table, or with <paramref name="home"/> only the shards whose home it is.</summary>
    public static void Shards(IAnsiConsole console, ShardTableDocument table, string? home)
    {
        var shards = Filter(table, home).Shards;
        var grid = new Table().Border(TableBorder.Rounded)
            .AddColumn(new TableColumn("Shard").RightAligned())
            .AddColumn("Home")
            .AddColumn(new TableColumn("Epoch").RightAligned())
            .AddColumn("Backups")
            .AddColumn(new TableColumn("Sessions").RightAligned());
        foreach (var shard in shards)
        {
            grid.AddRow(
                new Text(Number(shard.Id)),
                shard.Home is null ? new Markup("[red]unassigned[/]") : new Text(shard.Home),
                new Text(Number(shard.Epoch)),
                new Text(shard.Backups is { Count: > 0 } backups ? string.Join(", ", backups) : "-"),
                new Text(shard.Sessions is { } sessions ? Number(sessions) : "?"));
        }

        console.Write(grid);
        var scope = home is null ? "" : $" with home {home} (of {Number(table.Shards.Count)})";
        console.WriteLine($"{Number(shards.Count)} shards{scope}, {Number(shards.Sum(shard => shard.Sessions ?? 0))} sessions; coordinator {table.Coordinator ?? "unknown"}");
    }

    /// <summary>The table with only the shards whose home is <paramref name="home"/> (all of them when null); what <c>--json</c> prints.</summary>
    public static ShardTableDocument Filter(ShardTableDocument table, string? home) =>
        home is null ? table : table with { Shards = [.. table.Shards.Where(shard => shard.Home == home)] };

    /// <summary>Per node: shards, backups and sessions in a table, a bar chart of the shards, then the totals.</summary>
    public static void Stats(IAnsiConsole console, ShardingStats stats)
    {
        var table = new Table().Border(TableBorder.Rounded)
            .AddColumn("Node")
            .AddColumn("Route")
            .AddColumn("Roles")
            .AddColumn("Status")
            .AddColumn(new TableColumn("Shards").RightAligned())
            .AddColumn(new TableColumn("Backups").RightAligned())
            .AddColumn(new TableColumn("Sessions").RightAligned());
        foreach (var node in stats.Nodes)
        {
            table.AddRow(
                new Text(node.Address),
                new Text(node.Route ?? "-"),
                new Text(node.Roles.Count == 0 ? "-" : string.Join(", ", node.Roles)),
                StatusStyle.Status(node.Status),
                new Text(Number(node.Shards)),
                new Text(Number(node.Backups)),
                new Text(Number(node.Sessions)));
        }

        console.Write(table);
        if (stats.Nodes.Count > 0)
        {
            var chart = new BarChart().Label("Shards per node").LeftAlignLabel().Width(Math.Min(console.Profile.Width, 100));
            foreach (var node in stats.Nodes)
            {
                chart.AddItem(node.Route is null ? node.Address : $"{node.Address} {node.Route}", node.Shards, node.Status == "Up" ? Color.Green : Color.Yellow);
            }

            console.Write(chart);
        }

        console.WriteLine(TotalsLine(stats));
    }

    /// <summary>"100 shards: 100 with a home, 0 unassigned; 1,234 sessions on 3 nodes; coordinator 127.0.0.1:4054".</summary>
    public static string TotalsLine(ShardingStats stats) =>
        $"{Number(stats.Shards)} shards: {Number(stats.Shards - stats.Unassigned)} with a home, {Number(stats.Unassigned)} unassigned; "
        + $"{Number(stats.Sessions)} sessions on {Number(stats.Nodes.Count)} node{(stats.Nodes.Count == 1 ? "" : "s")}; coordinator {Coordinator(stats)}";

    /// <summary>The coordinator's address, with its route when it is one of the nodes listed: "127.0.0.1:4054 (w1)".</summary>
    private static string Coordinator(ShardingStats stats) =>
        stats.Coordinator is { } address ? NodeLabel.Of(address, stats.Nodes.FirstOrDefault(node => node.Address == address)?.Route) : "unknown";

    internal static string Number(long value) => value.ToString("N0", CultureInfo.InvariantCulture);
}
