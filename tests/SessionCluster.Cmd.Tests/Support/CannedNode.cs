using System.Collections.Concurrent;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace SessionCluster.Cmd.Tests.Support;

/// <summary>
/// A stand-in node on 127.0.0.1 (Kestrel on a free port) whose every answer a test scripts: canned JSON, an error
/// status, garbage, a dropped connection, an answer that never comes. It records each request it got.
/// </summary>
internal sealed class CannedNode : IAsyncDisposable
{
    private readonly WebApplication _app;

    private CannedNode(WebApplication app, string address)
    {
        _app = app;
        Address = address;
    }

    /// <summary>What to pass as <c>--node</c>: <c>127.0.0.1:port</c>.</summary>
    public string Address { get; }

    /// <summary>Every request received, as "METHOD /path?query" with its decoded path, in arrival order.</summary>
    public ConcurrentQueue<(string Method, string Path, string Query, string? Authorization)> Requests { get; } = new();

    /// <summary>Starts a node where <paramref name="answer"/> handles every request.</summary>
    public static async Task<CannedNode> StartAsync(Func<HttpContext, Task> answer)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        CannedNode? node = null;
        app.Run(async http =>
        {
            node!.Requests.Enqueue((http.Request.Method, http.Request.Path.Value ?? "", http.Request.QueryString.Value ?? "", http.Request.Headers.Authorization.FirstOrDefault()));
            await answer(http);
        });
        await app.StartAsync();
        var url = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        node = new CannedNode(app, new Uri(url).Authority);
        return node;
    }

    /// <summary>A node answering <paramref name="status"/> with <paramref name="body"/> as JSON to every request.</summary>
    public static Task<CannedNode> AnsweringAsync(int status, string body, string? retryAfter = null) =>
        StartAsync(http =>
        {
            http.Response.StatusCode = status;
            if (retryAfter is not null)
            {
                http.Response.Headers.RetryAfter = retryAfter;
            }

            http.Response.ContentType = "application/json";
            return http.Response.WriteAsync(body);
        });

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
