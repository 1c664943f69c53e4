using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;

namespace SessionLoad;

/// <summary>
/// Creates exactly N sessions, each with one attribute, by N cookie-less <c>PUT /session/attributes/{name}</c>: the
/// node mints a session for a request without a cookie and sets the attribute in the same request. Requests are
/// numbered; C loops take the next number until N are sent, so no more than N are ever sent, and none is retried
/// (a retried PUT whose first answer was lost would create a second session). Every 200 must carry a fresh
/// <c>Set-Cookie</c>; the ids are checked to be distinct, and a sample is read back with its cookie. With
/// <c>--cookies-out</c>, the cookies of K sessions spread evenly over the created ones are written to a file, for wrk.
/// </summary>
internal static class SessionCreator
{
    public static async Task<int> Run(Arguments args)
    {
        var url = new Uri(args.String("url"));
        var count = (int)args.Long("count", min: 1);
        var concurrency = (int)args.Long("concurrency", 64, min: 1);
        var valueBytes = (int)args.Long("value-bytes", 100, min: 2);
        var name = args.String("name", "payload");
        var verify = (int)Math.Min(args.Long("verify", 1000), count);
        var cookieName = args.String("cookie-name", "SESSIONID");
        var cookiesOut = args.String("cookies-out", "");
        var cookiesCount = (int)Math.Min(args.Long("cookies", 1000, min: 1), count);
        args.RejectUnknown();

        var value = SessionChecker.AttributeValue(valueBytes);
        using var client = LoopbackHttp.Create(url, concurrency, TimeSpan.FromSeconds(30));

        var ids = new UInt128[count];
        var path = "/session/attributes/" + Uri.EscapeDataString(name);
        var next = -1;
        var ok = 0;
        var failed = 0;
        var firstFailure = (string?)null;
        var route = (string?)null;
        var clock = Stopwatch.StartNew();
        using var progressStop = new CancellationTokenSource();
        var progress = Task.Run(async () =>
        {
            using var timer = new PeriodicTimer(TimeSpan.FromSeconds(10));
            try
            {
                while (await timer.WaitForNextTickAsync(progressStop.Token))
                {
                    Console.Error.WriteLine($"create: {Volatile.Read(ref ok):N0} ok, {Volatile.Read(ref failed):N0} failed, {clock.Elapsed.TotalSeconds:F0} s");
                }
            }
            catch (OperationCanceledException)
            {
            }
        });

        async Task Loop()
        {
            int index;
            while ((index = Interlocked.Increment(ref next)) < count)
            {
                string? failure;
                try
                {
                    using var request = new HttpRequestMessage(HttpMethod.Put, path) { Content = new ByteArrayContent(value) };
                    request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
                    using var response = await client.SendAsync(request, HttpCompletionOption.ResponseContentRead).ConfigureAwait(false);
                    if (response.StatusCode == HttpStatusCode.OK && TryReadSessionId(response, cookieName, out var id, out var cookieRoute))
                    {
                        ids[index] = id;
                        Interlocked.CompareExchange(ref route, cookieRoute, null);
                        Interlocked.Increment(ref ok);
                        continue;
                    }

                    failure = $"HTTP {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync().ConfigureAwait(false)}";
                }
                catch (Exception exception) when (exception is HttpRequestException or TaskCanceledException)
                {
                    failure = exception.GetType().Name + ": " + exception.Message;
                }

                Interlocked.Increment(ref failed);
                Interlocked.CompareExchange(ref firstFailure, failure, null);
            }
        }

        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(_ => Task.Run(Loop)));
        var seconds = clock.Elapsed.TotalSeconds;
        await progressStop.CancelAsync();
        await progress;

        var distinct = CountDistinct(ids);
        Console.WriteLine(FormattableString.Invariant(
            $"LOAD requests={count} ok={ok} failed={failed} distinct={distinct} seconds={seconds:F1} rps={count / seconds:F0}"));
        if (firstFailure is not null)
        {
            Console.Error.WriteLine("create: first failure: " + firstFailure);
        }

        var (verified, verifyFailure) = verify == 0 ? (0, null) : await SessionChecker.ReadBack(client, Sample(ids, verify, route), name, value, cookieName);
        Console.WriteLine($"VERIFY sampled={verify} ok={verified}");
        if (verifyFailure is not null)
        {
            Console.Error.WriteLine("create: first failed read-back: " + verifyFailure);
        }

        if (cookiesOut.Length > 0)
        {
            SessionChecker.WriteCookieFile(cookiesOut, Sample(ids, cookiesCount, route));
        }

        return ok == count && distinct == count && verified == verify ? 0 : 1;
    }

    /// <summary>The cookies of <paramref name="sample"/> sessions spread evenly over the created ones (a session
    /// whose PUT failed has no id and is left out).</summary>
    private static List<string> Sample(UInt128[] ids, int sample, string? route)
    {
        var cookies = new List<string>(sample);
        for (var k = 0; k < sample; k++)
        {
            var id = ids[(int)((long)k * ids.Length / sample)];
            if (id != UInt128.Zero)
            {
                cookies.Add(FormattableString.Invariant($"{id:x32}.{route}"));
            }
        }

        return cookies;
    }

    private static bool TryReadSessionId(HttpResponseMessage response, string cookieName, out UInt128 id, out string route)
    {
        id = default;
        route = "";
        if (!response.Headers.TryGetValues("Set-Cookie", out var cookies))
        {
            return false;
        }

        var prefix = cookieName + "=";
        foreach (var cookie in cookies)
        {
            if (cookie.StartsWith(prefix, StringComparison.Ordinal) && cookie.Length >= prefix.Length + 32 &&
                UInt128.TryParse(cookie.AsSpan(prefix.Length, 32), System.Globalization.NumberStyles.AllowHexSpecifier, null, out id))
            {
                var rest = cookie.AsSpan(prefix.Length + 32);
                var end = rest.IndexOf(';');
                rest = end < 0 ? rest : rest[..end];
                route = rest.StartsWith('.') ? rest[1..].ToString() : "";
                return id != UInt128.Zero;
            }
        }

        return false;
    }

    private static int CountDistinct(UInt128[] ids)
    {
        var sorted = ids.Where(id => id != UInt128.Zero).ToArray();
        Array.Sort(sorted);
        var distinct = 0;
        for (var i = 0; i < sorted.Length; i++)
        {
            if (i == 0 || sorted[i] != sorted[i - 1])
            {
                distinct++;
            }
        }

        return distinct;
    }
}
