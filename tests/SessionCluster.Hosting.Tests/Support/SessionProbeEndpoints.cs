using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;

namespace SessionCluster.Hosting.Tests.Support;

/// <summary>Test-only endpoints in front of the sample's pipeline, under <c>/probe</c>, each calling one
/// <c>ISession</c> member with the session middleware the sample configured: the contract seen by an app.</summary>
/// <remarks>
/// <list type="bullet">
/// <item><c>PUT /probe/bytes/{key}</c> body → <c>Set</c>; <c>GET /probe/bytes/{key}</c> → <c>TryGetValue</c> (404 if absent).</item>
/// <item><c>PUT /probe/int/{key}/{n}</c> → <c>SetInt32</c>; <c>PUT /probe/string/{key}</c> body → <c>SetString</c>.</item>
/// <item><c>DELETE /probe/{key}</c> → <c>Remove</c>; <c>POST /probe/clear</c> → <c>Clear</c>; <c>GET /probe</c> →
/// <c>{"id","keys"}</c>.</item>
/// <item>Without <c>?sync=1</c> each handler awaits <c>LoadAsync</c> first and <c>CommitAsync</c> after; with it, it uses
/// only the synchronous members and leaves the commit to the middleware.</item>
/// <item><c>PUT /probe/many?keys=a,b</c> → <c>SetString</c> of each key to "1" in one request (one commit).</item>
/// <item><c>?gate=NAME</c> holds the request after its load until the test opens <see cref="Gates"/>[NAME], so two
/// requests can load the same version of a session and commit in an order the test chooses.</item>
/// <item>A <see cref="Hosting.AspNetSessions.SessionStoreException"/> answers 507 with its message.</item>
/// </list>
/// </remarks>
internal sealed class SessionProbeEndpoints : IStartupFilter
{
    /// <summary>Gates by name: a request with <c>?gate=NAME</c> sets <c>Loaded</c> after its load, then waits for <c>Release</c>.</summary>
    public static readonly System.Collections.Concurrent.ConcurrentDictionary<string, (TaskCompletionSource Loaded, TaskCompletionSource Release)> Gates = new();

    public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
    {
        app.Map("/probe", probe =>
        {
            probe.UseSession();
            probe.Run(Handle);
        });
        next(app);
    };

    private static async Task Handle(HttpContext http)
    {
        var session = http.Session;
        var sync = http.Request.Query.ContainsKey("sync");
        var segments = (http.Request.Path.Value ?? "").Trim('/').Split('/', StringSplitOptions.RemoveEmptyEntries);
        try
        {
            if (!sync)
            {
                await session.LoadAsync(http.RequestAborted);
            }

            if (http.Request.Query["gate"].ToString() is { Length: > 0 } gate && Gates.TryGetValue(gate, out var held))
            {
                held.Loaded.TrySetResult();
                await held.Release.Task.WaitAsync(TimeSpan.FromSeconds(30), http.RequestAborted);
            }

            switch (http.Request.Method, segments)
            {
                case ("PUT", ["bytes", var key]):
                    session.Set(key, await Body(http));
                    break;
                case ("GET", ["bytes", var key]):
                    if (!session.TryGetValue(key, out var value))
                    {
                        http.Response.StatusCode = 404;
                        return;
                    }

                    http.Response.ContentType = "application/octet-stream";
                    await http.Response.Body.WriteAsync(value, http.RequestAborted);
                    return;
                case ("PUT", ["int", var key, var number]):
                    session.SetInt32(key, int.Parse(number, System.Globalization.CultureInfo.InvariantCulture));
                    break;
                case ("GET", ["int", var key]):
                    await http.Response.WriteAsync(session.GetInt32(key)?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "null");
                    return;
                case ("PUT", ["string", var key]):
                    session.SetString(key, Encoding.UTF8.GetString(await Body(http)));
                    break;
                case ("GET", ["string", var key]):
                    await http.Response.WriteAsync(session.GetString(key) ?? "null");
                    return;
                case ("DELETE", [var key]):
                    session.Remove(key);
                    break;
                case ("PUT", ["many"]):
                    foreach (var key in http.Request.Query["keys"].ToString().Split(','))
                    {
                        session.SetString(key, "1");
                    }

                    break;
                case ("POST", ["clear"]):
                    session.Clear();
                    break;
                case ("GET", []):
                    break;
                default:
                    http.Response.StatusCode = 400;
                    return;
            }

            if (!sync)
            {
                await session.CommitAsync(http.RequestAborted);
            }

            http.Response.ContentType = "application/json";
            await http.Response.WriteAsync(JsonSerializer.Serialize(new { id = session.Id, keys = session.Keys.Order(StringComparer.Ordinal).ToArray() }));
        }
        catch (Hosting.AspNetSessions.SessionStoreException exception)
        {
            http.Response.StatusCode = 507;
            await http.Response.WriteAsync(exception.Message);
        }
    }

    private static async Task<byte[]> Body(HttpContext http)
    {
        using var buffer = new MemoryStream();
        await http.Request.Body.CopyToAsync(buffer, http.RequestAborted);
        return buffer.ToArray();
    }
}
