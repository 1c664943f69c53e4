using System.Globalization;
using System.Text.Json;

namespace SessionLoad;

/// <summary>What the watchers read from a node's management API on every poll, and how they print a time.</summary>
internal static class ClusterPoll
{
    /// <summary>The JSON at <paramref name="path"/>, or null if the node did not answer it with a 2xx and valid JSON
    /// (a poll that fails is counted by the caller, not fatal).</summary>
    public static async Task<JsonDocument?> GetJson(HttpClient client, string path)
    {
        try
        {
            using var response = await client.GetAsync(path).ConfigureAwait(false);
            return response.IsSuccessStatusCode ? JsonDocument.Parse(await response.Content.ReadAsByteArrayAsync().ConfigureAwait(false)) : null;
        }
        catch (Exception exception) when (exception is HttpRequestException or TaskCanceledException or JsonException)
        {
            return null;
        }
    }

    /// <summary>The status of member <paramref name="address"/> in a <c>/cluster/members</c> answer, or "absent".</summary>
    public static string MemberStatus(JsonDocument members, string address)
    {
        foreach (var entry in members.RootElement.GetProperty("members").EnumerateArray())
        {
            if (entry.GetProperty("address").GetString() == address)
            {
                return entry.GetProperty("status").GetString() ?? "?";
            }
        }

        return "absent";
    }

    /// <summary>Milliseconds as printed in a result line; "none" when the moment never came.</summary>
    public static string Show(long? ms) => ms?.ToString(CultureInfo.InvariantCulture) ?? "none";
}
