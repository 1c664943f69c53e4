using System.Net;
using System.Net.Sockets;
using SessionCluster.Actors.Hosting;

namespace SessionCluster.Actors.Tests.Hosting;

public sealed class PortInUseTests
{
    [Fact]
    public void A_taken_cluster_port_is_one_line_naming_the_switches()
    {
        using var taken = new TcpListener(IPAddress.Loopback, 0);
        taken.Start();
        using var second = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        var error = Assert.Throws<SocketException>(() => second.Bind(taken.LocalEndpoint));

        var line = PortInUse.Describe(error);

        Assert.NotNull(line);
        Assert.Contains("already in use", line, StringComparison.Ordinal);
        Assert.Contains("--port", line, StringComparison.Ordinal);
        Assert.DoesNotContain("\n", line, StringComparison.Ordinal);
    }

    [Fact]
    public void A_wrapped_bind_failure_keeps_the_outer_message_with_the_address()
    {
        var error = new IOException("Failed to bind to address http://127.0.0.1:5000: address already in use.",
            new SocketException((int)SocketError.AddressAlreadyInUse));

        Assert.StartsWith("Failed to bind to address http://127.0.0.1:5000: address already in use: another process", PortInUse.Describe(error), StringComparison.Ordinal);
    }

    [Fact]
    public void Other_failures_are_not_taken_for_a_port_in_use()
    {
        Assert.Null(PortInUse.Describe(new IOException("disk full")));
        Assert.Null(PortInUse.Describe(new SocketException((int)SocketError.ConnectionRefused)));
        Assert.Null(PortInUse.Describe(new InvalidOperationException("bug", new SocketException((int)SocketError.TimedOut))));
    }
}
