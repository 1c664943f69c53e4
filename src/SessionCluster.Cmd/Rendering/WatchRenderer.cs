using System.Globalization;
using SessionCluster.Cmd.Views;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace SessionCluster.Cmd.Rendering;

/// <summary>Draws one <see cref="WatchFrame"/> of <c>sharding watch</c>: a header, one bar per node, the moves, and the read error if any.</summary>
public static class WatchRenderer
{
    /// <summary>The widest bar, in characters, on a wide console.</summary>
    public const int MaxBarWidth = 40;

    /// <summary>What the other columns take, so the bar shrinks on a narrow terminal instead of squeezing the addresses.</summary>
    private const int OtherColumnsWidth = 74;

    /// <param name="frame">What to draw.</param>
    /// <param name="node">The node asked, for the header.</param>
    /// <param name="consoleWidth">The console's width in characters.</param>
    public static IRenderable Frame(WatchFrame frame, string node, int consoleWidth)
    {
        var barWidth = Math.Clamp(consoleWidth - OtherColumnsWidth, 8, MaxBarWidth);
        var stats = frame.Stats;
        var widest = Math.Max(1, stats.Nodes.Select(entry => entry.Shards).DefaultIfEmpty(0).Max());
        var table = new Table().Border(TableBorder.Simple)
            .AddColumn(new TableColumn("Node").NoWrap())
            .AddColumn(new TableColumn("Route").NoWrap())
            .AddColumn("Status")
            .AddColumn(new TableColumn("Shards").RightAligned())
            .AddColumn(new TableColumn("").NoWrap())
            .AddColumn(new TableColumn("Backups").RightAligned())
            .AddColumn(new TableColumn("Sessions").RightAligned());
        foreach (var entry in stats.Nodes)
        {
            var moved = frame.LastMoves.Count(move => move.To == entry.Address) - frame.LastMoves.Count(move => move.From == entry.Address);
            var change = moved == 0 ? "" : moved > 0 ? $" [green]+{moved.ToString(CultureInfo.InvariantCulture)}[/]" : $" [red]{moved.ToString(CultureInfo.InvariantCulture)}[/]";
            table.AddRow(
                new Text(entry.Address),
                new Text(entry.Route ?? "-"),
                StatusStyle.Status(entry.Status),
                new Markup(ShardingRenderer.Number(entry.Shards) + change),
                new Markup($"[{(entry.Status == "Up" ? "green" : "yellow")}]{Bar(entry.Shards, widest, barWidth)}[/]"),
                new Text(ShardingRenderer.Number(entry.Backups)),
                new Text(ShardingRenderer.Number(entry.Sessions)));
        }

        var time = frame.ReadAt.ToString("HH:mm:ss", CultureInfo.InvariantCulture);
        var header = new Markup($"[bold]Shard distribution[/] as {Markup.Escape(node)} sees it at {time} — Ctrl+C to stop");
        var lastMove = frame.LastMoveAt is { } at ? $", the last at {at.ToString("HH:mm:ss", CultureInfo.InvariantCulture)}" : "";
        var footer = new Text($"{ShardingRenderer.TotalsLine(stats)}\n{ShardingRenderer.Number(frame.MovedSinceStart)} shard moves seen since the watch began{lastMove}");
        IRenderable[] rows = frame.Error is { } error
            ? [header, table, footer, new Markup($"[red]{Markup.Escape(error)}[/] Retrying.")]
            : [header, table, footer];
        return new Rows(rows);
    }

    /// <summary>A bar of <paramref name="value"/> / <paramref name="widest"/> of <paramref name="width"/> characters, in whole and eighth blocks.</summary>
    public static string Bar(int value, int widest, int width = MaxBarWidth)
    {
        if (value <= 0)
        {
            return "";
        }

        var eighths = (int)Math.Max(1, Math.Round(8.0 * width * value / widest));
        var partial = eighths % 8;
        return new string('█', eighths / 8) + (partial == 0 ? "" : "▏▎▍▌▋▊▉"[partial - 1].ToString());
    }
}
