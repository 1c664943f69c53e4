using System.Globalization;
using SessionCluster.Cmd.Model;
using SessionCluster.Cmd.Views;
using Spectre.Console;

namespace SessionCluster.Cmd.Rendering;

/// <summary>Renders the membership views: <c>cluster show</c> and <c>cluster leader</c>.</summary>
public static class ClusterRenderer
{
    /// <summary>A table of address | route | roles | status | reachability | leader, then one count line.</summary>
    public static void Members(IAnsiConsole console, MembersDocument members)
    {
        var table = new Table().Border(TableBorder.Rounded)
            .AddColumn("Address")
            .AddColumn("Route")
            .AddColumn("Roles")
            .AddColumn("Status")
            .AddColumn("Reachability")
            .AddColumn("Leader");
        foreach (var member in members.Members.OrderBy(member => member.Address, AddressComparer.Instance))
        {
            var marks = new List<string>();
            if (member.Address == members.Leader)
            {
                marks.Add("[bold]* leader[/]");
            }

            if (member.Address == members.Oldest)
            {
                marks.Add("oldest");
            }

            var address = member.Address == members.Self ? $"{Markup.Escape(member.Address)} [grey](asked)[/]" : Markup.Escape(member.Address);
            table.AddRow(
                new Markup(address),
                new Text(member.Route ?? "-"),
                new Text(member.Roles.Count == 0 ? "-" : string.Join(", ", member.Roles)),
                StatusStyle.Status(member.Status),
                StatusStyle.Reachability(member.Reachable),
                new Markup(marks.Count == 0 ? "" : string.Join(", ", marks)));
        }

        console.Write(table);
        console.WriteLine(CountLine(members));
    }

    /// <summary>"5 members: 4 Up, 1 Joining; 0 unreachable; leader 127.0.0.1:4053; converged".</summary>
    public static string CountLine(MembersDocument members)
    {
        var byStatus = members.Members
            .GroupBy(member => member.Status, StringComparer.Ordinal)
            .OrderByDescending(group => group.Key == "Up")
            .ThenBy(group => group.Key, StringComparer.Ordinal)
            .Select(group => $"{group.Count().ToString(CultureInfo.InvariantCulture)} {group.Key}");
        var unreachable = members.Members.Count(member => !member.Reachable);
        var count = members.Members.Count;
        return $"{count.ToString(CultureInfo.InvariantCulture)} member{(count == 1 ? "" : "s")}"
            + (count == 0 ? "" : $": {string.Join(", ", byStatus)}")
            + $"; {unreachable.ToString(CultureInfo.InvariantCulture)} unreachable"
            + $"; leader {members.Leader ?? "none"}"
            + (members.Converged ? "; converged" : "; not converged");
    }

    /// <summary>The leader, and the oldest worker (where the shard coordinator lives) when the node reports it.</summary>
    public static void Leader(IAnsiConsole console, LeaderView view)
    {
        console.WriteLine($"leader: {view.Leader ?? "none"}");
        if (view.Oldest is not null)
        {
            console.WriteLine($"oldest worker (shard coordinator): {view.Oldest}");
        }
    }
}
