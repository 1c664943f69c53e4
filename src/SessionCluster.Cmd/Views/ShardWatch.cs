using System.Runtime.CompilerServices;
using SessionCluster.Cmd.Api;
using SessionCluster.Cmd.Model;

namespace SessionCluster.Cmd.Views;

/// <summary>
/// The polling behind <c>sharding watch</c>: reads the shard table and the membership every <c>interval</c> and
/// yields a <see cref="WatchFrame"/> per read, until cancelled. The first read must succeed (its failure is the
/// command's error); later failures are yielded as frames that keep the last distribution and say what went wrong,
/// so a watch survives a node restarting or a moment of overload.
/// </summary>
public static class ShardWatch
{
    /// <summary>About two redraws a second: fast enough to see a rebalance round (1 s by default) move shards.</summary>
    public static readonly TimeSpan DefaultInterval = TimeSpan.FromMilliseconds(500);

    public static async IAsyncEnumerable<WatchFrame> RunAsync(
        ManagementClient client,
        TimeProvider time,
        TimeSpan interval,
        [EnumeratorCancellation] CancellationToken cancellation)
    {
        var (previous, members) = await ReadAsync(client, cancellation);
        var frame = WatchFrame.First(previous, members, time.GetUtcNow());
        yield return frame;

        using var timer = new PeriodicTimer(interval, time);
        while (await TickAsync(timer, cancellation))
        {
            ShardTableDocument? table = null;
            try
            {
                (table, members) = await ReadAsync(client, cancellation);
            }
            catch (ManagementException exception)
            {
                frame = frame.Failed(exception.Message, time.GetUtcNow());
            }
            catch (OperationCanceledException) when (cancellation.IsCancellationRequested)
            {
                yield break;
            }

            if (table is not null)
            {
                frame = frame.Next(previous, table, members, time.GetUtcNow());
                previous = table;
            }

            yield return frame;
        }
    }

    /// <summary>False once cancelled: the watch ends quietly, as Ctrl+C means it to.</summary>
    private static async Task<bool> TickAsync(PeriodicTimer timer, CancellationToken cancellation)
    {
        try
        {
            return await timer.WaitForNextTickAsync(cancellation);
        }
        catch (OperationCanceledException) when (cancellation.IsCancellationRequested)
        {
            return false;
        }
    }

    private static async Task<(ShardTableDocument Table, MembersDocument Members)> ReadAsync(ManagementClient client, CancellationToken cancellation)
    {
        var table = client.GetShardsAsync(cancellation);
        var members = client.GetMembersAsync(cancellation);
        return ((await table).Value, (await members).Value);
    }
}
