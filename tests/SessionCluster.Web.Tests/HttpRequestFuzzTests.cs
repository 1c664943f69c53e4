using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using SessionCluster.TestKit.Fuzzing;
using SessionCluster.Web.Tests.Support;

namespace SessionCluster.Web.Tests;

/// <summary>Seeded fuzzing of raw HTTP/1.1 against a real Kestrel on 127.0.0.1: mutated session requests (request
/// lines, headers, cookies, lengths, bodies) get a 2xx, 3xx or 4xx (or Kestrel's 501/505 for a method or version it does
/// not speak), never a server error, and the node goes on serving.</summary>
public sealed class HttpRequestFuzzTests
{
    // Long enough for Kestrel to answer a complete request on a loaded machine, short enough that the few hundred
    // incomplete ones (which wait this long each) keep the test within seconds.
    private static readonly TimeSpan UnansweredAfter = TimeSpan.FromMilliseconds(250);

    [Fact]
    public async Task Mutated_requests_never_get_a_server_error_and_the_node_keeps_serving()
    {
        await using var node = new WebNodeFactory();
        node.UseKestrel(options => options.Listen(IPAddress.Loopback, 0));
        node.StartServer();
        var address = new Uri(Assert.Single(node.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses));
        using var client = new HttpClient { BaseAddress = address };
        var id = (await SessionDocument.Read(await client.GetAsync("/session"))).Id;
        string[] requests =
        [
            $"GET /session HTTP/1.1\r\nHost: localhost\r\nCookie: SESSIONID={id}.localhost-5000\r\n\r\n",
            $"PUT /session/attributes/cart HTTP/1.1\r\nHost: localhost\r\nCookie: SESSIONID={id}.r\r\nContent-Type: application/json\r\nContent-Length: 16\r\n\r\n{{\"items\":[1,2]}}",
            $"POST /session/attributes/n/increment?by=-5 HTTP/1.1\r\nHost: localhost\r\nCookie: SESSIONID={id}\r\nContent-Length: 0\r\n\r\n",
            $"DELETE /session/attributes/a%2Fb HTTP/1.1\r\nHost: localhost\r\nCookie: SESSIONID={id}\r\n\r\n",
            $"POST /session/rotate HTTP/1.1\r\nHost: localhost\r\nCookie: SESSIONID={id}\r\nContent-Length: 0\r\n\r\n",
            "PUT /session/attributes/x HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked\r\n\r\n3\r\n[1]\r\n0\r\n\r\n",
            "GET /cluster/sessions/0123456789abcdef0123456789abcdef HTTP/1.1\r\nHost: localhost\r\n\r\n",
            "GET / HTTP/1.1\r\nHost: localhost\r\n\r\n",
        ];
        var seed = FuzzBudget.Seed(8080);
        var random = new Random(seed);
        var iterations = FuzzBudget.Iterations(400);
        var statuses = new Dictionary<int, int>();
        for (var i = 0; i < iterations; i++)
        {
            var original = Encoding.ASCII.GetBytes(requests[random.Next(requests.Length)]);
            var bytes = random.Next(8) == 0 ? original : ByteMutator.Mutate(original, random).Output;
            var status = await Exchange(address, bytes);
            statuses[status] = statuses.GetValueOrDefault(status) + 1;
            // 501 and 505 are Kestrel's refusals of a method or HTTP version it does not speak: the client's fault, not a failure.
            Assert.True(status is < 500 or 501 or 505, $"seed {seed}, iteration {i}: {status} for {ByteMutator.Hex(bytes)} ({Encoding.ASCII.GetString(bytes).Replace("\r\n", "\\r\\n")})");
        }

        Assert.True(statuses.Keys.Any(status => status is >= 200 and < 300), $"some requests were still valid; statuses: {string.Join(", ", statuses.OrderBy(s => s.Key).Select(s => $"{s.Key}×{s.Value}"))}");
        Assert.True(statuses.Keys.Any(status => status is >= 400 and < 500), "some were refused as malformed");
        using var after = await client.GetAsync("/session");
        Assert.Equal(HttpStatusCode.OK, after.StatusCode);
    }

    /// <summary>Sends the bytes on a new connection, ends the sending side if nothing is answered within <see cref="UnansweredAfter"/>, and returns
    /// the first response's status, or 0 if the server closed without one (what Kestrel may do with bytes that are not
    /// HTTP at all).</summary>
    private static async Task<int> Exchange(Uri address, byte[] bytes)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(IPAddress.Loopback, address.Port);
        await socket.SendAsync(bytes);
        // A complete request is answered with the connection still open: ending the sending side at once can make Kestrel
        // take the request as aborted and close without an answer. Only bytes that stay unanswered (an incomplete
        // request, waiting for more) get the end of the stream, after which Kestrel must answer or close.
        if (!await Task.Run(() => socket.Poll(UnansweredAfter, SelectMode.SelectRead)))
        {
            socket.Shutdown(SocketShutdown.Send);
        }

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        var received = new MemoryStream();
        var buffer = new byte[4096];
        try
        {
            int read;
            while ((read = await socket.ReceiveAsync(buffer, SocketFlags.None, timeout.Token)) > 0)
            {
                received.Write(buffer, 0, read);
                if (received.Length >= 12)
                {
                    break;
                }
            }
        }
        catch (SocketException)
        {
            // Reset by the server after a refusal: judged by what arrived.
        }

        var text = Encoding.ASCII.GetString(received.ToArray());
        return text.StartsWith("HTTP/1.1 ", StringComparison.Ordinal) && text.Length >= 12 && int.TryParse(text.AsSpan(9, 3), out var status) ? status : 0;
    }
}
