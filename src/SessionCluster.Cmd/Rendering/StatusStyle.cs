using Spectre.Console;

namespace SessionCluster.Cmd.Rendering;

/// <summary>The colours of member statuses and reachability, the same in every view.</summary>
public static class StatusStyle
{
    public static Markup Status(string? status) => status switch
    {
        null => new Markup("[grey]not a member[/]"),
        "Up" => new Markup("[green]Up[/]"),
        "Joining" or "WeaklyUp" or "Leaving" or "Exiting" => new Markup($"[yellow]{Markup.Escape(status)}[/]"),
        _ => new Markup($"[red]{Markup.Escape(status)}[/]"),
    };

    public static Markup Reachability(bool reachable) =>
        reachable ? new Markup("[green]reachable[/]") : new Markup("[red bold]unreachable[/]");
}
