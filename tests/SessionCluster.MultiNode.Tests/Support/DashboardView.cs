using System.Text.Json;
using Microsoft.Playwright;

namespace SessionCluster.MultiNode.Tests.Support;

/// <summary>What the dashboard page shows right now, read from its DOM: the members table, the shard rows, the status line.</summary>
internal sealed record DashboardView(
    IReadOnlyDictionary<string, string> MemberStatus,
    IReadOnlyDictionary<string, string> MemberRoute,
    IReadOnlyDictionary<string, (int Homes, int Backups)> Rows,
    string Status,
    string Sessions,
    string Moves)
{
    private const string Script = """
        () => ({
          members: [...document.querySelectorAll('#members tbody tr')].map(tr => [tr.dataset.address, tr.children[2].textContent, tr.children[1].textContent]),
          rows: [...document.querySelectorAll('#shard-map .row')].map(row => [row.dataset.address,
            row.querySelectorAll('.shard.home').length, row.querySelectorAll('.shard.backup').length]),
          status: document.getElementById('status').textContent,
          sessions: document.getElementById('sessions').textContent,
          moves: document.getElementById('moves').textContent,
        })
        """;

    public static async Task<DashboardView> ReadAsync(IPage page)
    {
        var json = await page.EvaluateAsync<JsonElement>(Script);
        var members = json.GetProperty("members").EnumerateArray().ToDictionary(m => m[0].GetString()!, m => m[1].GetString()!);
        var routes = json.GetProperty("members").EnumerateArray().ToDictionary(m => m[0].GetString()!, m => m[2].GetString()!);
        var rows = json.GetProperty("rows").EnumerateArray().ToDictionary(r => r[0].GetString()!, r => (r[1].GetInt32(), r[2].GetInt32()));
        return new DashboardView(members, routes, rows, json.GetProperty("status").GetString()!, json.GetProperty("sessions").GetString()!, json.GetProperty("moves").GetString()!);
    }

    public int HomesOf(string address) => Rows.TryGetValue(address, out var row) ? row.Homes : 0;

    public override string ToString() =>
        $"status '{Status}', sessions '{Sessions}', moves '{Moves}'; members [{string.Join(", ", MemberStatus.Select(m => $"{m.Key} {m.Value}"))}]; " +
        $"rows [{string.Join(", ", Rows.Select(r => $"{r.Key}: {r.Value.Homes} shards, {r.Value.Backups} backups"))}]";
}
