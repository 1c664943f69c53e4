using System.Net;
using System.Net.Sockets;

namespace SessionCluster.MultiNode.Tests.Support;

/// <summary>Picks distinct TCP ports on 127.0.0.1 that nothing listens on.</summary>
/// <remarks>
/// Ports come from 20000–32767, below Linux's ephemeral range (32768–60999): the OS hands ephemeral ports to outgoing
/// connections, so a port taken from that range could be grabbed by some connection while a killed node is down,
/// and its restart on the same port would fail. Each candidate is proven free by binding it; all stay bound until
/// the last is picked, so the ports are distinct, and are released together just before the nodes bind them.
/// </remarks>
internal static class FreePorts
{
    private const int First = 20000;
    private const int EndExclusive = 32768;

    /// <summary>Takes <paramref name="count"/> distinct free ports, all greater than <paramref name="above"/> if given.</summary>
    public static IReadOnlyList<int> Take(int count, int above = 0)
    {
        var first = Math.Max(First, above + 1);
        if (first >= EndExclusive)
        {
            throw new ArgumentOutOfRangeException(nameof(above), above, $"No ports left above {above} in {First}–{EndExclusive - 1}.");
        }

        var listeners = new List<TcpListener>();
        try
        {
            for (var attempt = 0; listeners.Count < count; attempt++)
            {
                if (attempt > 1000)
                {
                    throw new InvalidOperationException($"Found only {listeners.Count} of {count} free ports in {first}–{EndExclusive - 1} after {attempt} attempts.");
                }

                var listener = new TcpListener(IPAddress.Loopback, Random.Shared.Next(first, EndExclusive));
                try
                {
                    listener.Start();
                    listeners.Add(listener);
                }
                catch (SocketException)
                {
                    listener.Dispose();
                }
            }

            return [.. listeners.Select(listener => ((IPEndPoint)listener.LocalEndpoint).Port)];
        }
        finally
        {
            foreach (var listener in listeners)
            {
                listener.Dispose();
            }
        }
    }
}
