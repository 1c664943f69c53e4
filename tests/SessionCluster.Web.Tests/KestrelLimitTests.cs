using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using SessionCluster.TestKit;
using SessionCluster.Web.Tests.Support;

namespace SessionCluster.Web.Tests;

/// <summary>session-cluster.http reaches Kestrel: oversized headers get 431, an oversized body 413, a connection over the
/// limit is closed at once, and a client that sends its headers too slowly is cut off. Real Kestrel on 127.0.0.1.</summary>
public sealed class KestrelLimitTests
{
    [Fact]
    public async Task Limits_from_settings_are_enforced_by_kestrel()
    {
        await using var node = WebNodeFactory.With(
            ("session-cluster:http:max-request-headers-size", "4KiB"),
            ("session-cluster:http:max-concurrent-connections", "3"),
            ("session-cluster:http:request-headers-timeout", "1s"),
            ("session-cluster:http:max-request-body-size", "64KiB"));
        node.UseKestrel(options => options.Listen(IPAddress.Loopback, 0));
        node.StartServer();
        var bound = node.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses;
        var address = new Uri(Assert.Single(bound));
        Assert.Equal("127.0.0.1", address.Host);
        using var client = new HttpClient { BaseAddress = address };

        using (var ok = await client.GetAsync("/session"))
        {
            Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        }

        using (var bigHeaders = new HttpRequestMessage(HttpMethod.Get, "/session"))
        {
            bigHeaders.Headers.Add("X-Padding", new string('x', 5000));
            using var response = await client.SendAsync(bigHeaders);
            Assert.Equal(HttpStatusCode.RequestHeaderFieldsTooLarge, response.StatusCode);
        }

        // A body over the limit, sent without a length so no endpoint sees its size first: Kestrel stops it at 64 KiB.
        using (var bigBody = new HttpRequestMessage(HttpMethod.Put, "/session/attributes/a") { Content = new UnknownLengthContent(new byte[200 * 1024]) })
        {
            using var response = await client.SendAsync(bigBody);
            Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        }

        // Slow headers: a request line and no end of headers; the connection is closed after about the timeout.
        using (var slow = await Connect(address))
        {
            await slow.SendAsync(Encoding.ASCII.GetBytes("GET /session HTTP/1.1\r\nHost: x\r\n"));
            Assert.True(await ClosedWithin(slow, TimeSpan.FromSeconds(10)), "the slow client is cut off");
        }

        // Exactly the limit's connections are served and the next one is closed at once. The client's keep-alive
        // connection is closed first, but Kestrel learns of that asynchronously and counts it until then: an attempt
        // in which one of the three is refused is given up (all of its connections closed) and made again.
        client.Dispose();
        var held = new List<Socket>();
        try
        {
            await Eventually.True(async () =>
            {
                held.ForEach(socket => socket.Dispose());
                held.Clear();
                for (var i = 0; i < 3; i++)
                {
                    held.Add(await Connect(address));
                    if (!await Serves(held[^1]))
                    {
                        return false;
                    }
                }

                return true;
            }, "three connections, the limit, each served");

            using var extra = await Connect(address);
            Assert.True(await ClosedWithin(extra, TimeSpan.FromSeconds(5)), "a fourth connection, over the limit, is closed at once");
            Assert.True(await Serves(held[0]), "a connection held within the limit still serves");
        }
        finally
        {
            held.ForEach(socket => socket.Dispose());
        }
    }

    /// <summary>True if <paramref name="socket"/> answers a request with 200; false if the server closed it.</summary>
    private static async Task<bool> Serves(Socket socket)
    {
        try
        {
            await socket.SendAsync(Encoding.ASCII.GetBytes("GET /health/live HTTP/1.1\r\nHost: x\r\n\r\n"));
            var buffer = new byte[512];
            var read = await socket.ReceiveAsync(buffer);
            return read > 0 && Encoding.ASCII.GetString(buffer, 0, read).StartsWith("HTTP/1.1 200", StringComparison.Ordinal);
        }
        catch (SocketException)
        {
            return false;
        }
    }

    private static async Task<Socket> Connect(Uri address)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(IPAddress.Loopback, address.Port);
        return socket;
    }

    private static async Task<bool> ClosedWithin(Socket socket, TimeSpan deadline)
    {
        using var timeout = new CancellationTokenSource(deadline);
        var buffer = new byte[1024];
        try
        {
            while (await socket.ReceiveAsync(buffer, SocketFlags.None, timeout.Token) > 0)
            {
            }

            return true;
        }
        catch (SocketException)
        {
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }
}
