using SessionCluster.Cmd.Model;
using Spectre.Console;

namespace SessionCluster.Cmd.Rendering;

/// <summary>Renders <c>session locate</c>: where a session lives.</summary>
public static class SessionRenderer
{
    public static void Location(IAnsiConsole console, SessionLocation location)
    {
        var grid = new Grid().AddColumn(new GridColumn().NoWrap()).AddColumn();
        grid.AddRow(new Text("session"), new Text(location.Id));
        grid.AddRow(new Text("shard"), new Text(ShardingRenderer.Number(location.Shard)));
        grid.AddRow(new Text("home"), location.Home is null ? new Markup("[red]none (the shard has no home yet)[/]") : new Text(location.Home));
        grid.AddRow(new Text("epoch"), new Text(ShardingRenderer.Number(location.Epoch)));
        grid.AddRow(new Text("backups"), new Text(location.Backups switch
        {
            null => "(not reported by this node)",
            { Count: 0 } => "none",
            var backups => string.Join(", ", backups),
        }));
        console.Write(grid);
    }
}
