using System.Net;
using System.Text;

namespace SessionLoad;

/// <summary>
/// Reads sessions back by their cookies and checks that each still holds its attribute: a 200 with the value, and no
/// <c>Set-Cookie</c> (a node that no longer finds a session mints a new one and sets its cookie, so a fresh cookie
/// means the session was lost). Also the cookie files the benchmarks hand to wrk: one <c>&lt;id&gt;.&lt;route&gt;</c>
/// a line, as the value of the session cookie.
/// </summary>
internal static class SessionChecker
{
    /// <summary>The <c>verify</c> command: reads back every session of a cookie file.</summary>
    public static async Task<int> Run(Arguments args)
    {
        var url = new Uri(args.String("url"));
        var file = args.String("cookies");
        var name = args.String("name", "payload");
        var valueBytes = (int)args.Long("value-bytes", 100, min: 2);
        var cookieName = args.String("cookie-name", "SESSIONID");
        args.RejectUnknown();

        var cookies = ReadCookieFile(file);
        using var client = LoopbackHttp.Create(url, 1, TimeSpan.FromSeconds(30));
        var (ok, firstFailure) = await ReadBack(client, cookies, name, AttributeValue(valueBytes), cookieName);
        Console.WriteLine($"VERIFY sampled={cookies.Count} ok={ok}");
        if (firstFailure is not null)
        {
            Console.Error.WriteLine("verify: first failure: " + firstFailure);
        }

        return ok == cookies.Count ? 0 : 1;
    }

    /// <summary>A JSON string of exactly <paramref name="valueBytes"/> bytes, stored by the node as is (it is already
    /// compact).</summary>
    public static byte[] AttributeValue(int valueBytes) => Encoding.ASCII.GetBytes("\"" + new string('v', valueBytes - 2) + "\"");

    /// <summary>Reads each session's attribute, one request at a time; returns how many answered as expected and a
    /// description of the first that did not.</summary>
    public static async Task<(int Ok, string? FirstFailure)> ReadBack(
        HttpClient client, IReadOnlyList<string> cookies, string name, byte[] value, string cookieName)
    {
        var expected = "\"value\":" + Encoding.ASCII.GetString(value);
        var path = "/session/attributes/" + Uri.EscapeDataString(name);
        var ok = 0;
        string? firstFailure = null;
        foreach (var cookie in cookies)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, path);
            request.Headers.Add("Cookie", $"{cookieName}={cookie}");
            using var response = await client.SendAsync(request).ConfigureAwait(false);
            var body = await response.Content.ReadAsStringAsync().ConfigureAwait(false);
            var renewed = response.Headers.Contains("Set-Cookie");
            if (response.StatusCode == HttpStatusCode.OK && body.Contains(expected, StringComparison.Ordinal) && !renewed)
            {
                ok++;
                continue;
            }

            firstFailure ??= $"session {cookie}: HTTP {(int)response.StatusCode}{(renewed ? " with a new cookie" : "")}: " +
                             (body.Length > 200 ? body[..200] + "…" : body);
        }

        return (ok, firstFailure);
    }

    public static void WriteCookieFile(string path, IEnumerable<string> cookies) => File.WriteAllLines(path, cookies);

    public static IReadOnlyList<string> ReadCookieFile(string path)
    {
        var cookies = File.ReadAllLines(path).Where(line => line.Length > 0).ToArray();
        return cookies.Length > 0 ? cookies : throw new ArgumentException($"the cookie file '{path}' holds no cookie");
    }
}
