using SessionCluster.Actors.Remoting;
using SessionCluster.Actors.Sessions;

namespace SessionCluster.Actors.Sharding;

/// <summary>The fast path of a request whose shard lives on another node: an envelope straight onto the transport,
/// the reply straight back from the transport's reader (see <see cref="RemoteRequests"/>).</summary>
/// <remarks>It adds nothing to the protocol: the envelope is the one the region would send, under the epoch the
/// region last published, and anything unusual (no route, a refusal, a departed home) goes through the region.</remarks>
public sealed class DirectRoute(ITransport transport, ShardRoutes routes, RemoteRequests requests)
{
    /// <summary>Sends <paramref name="command"/> to its shard's remote home; null if there is no known remote home
    /// (the caller then goes through the region). The task ends with the reply or a <see cref="ShardUnavailable"/>.</summary>
    public Task<object>? TrySend(SessionCommand command, int shard)
    {
        if (!routes.TryGetRemote(shard, out var route))
        {
            return null;
        }

        var request = requests.Register(command, shard, route.Home);
        if (!transport.Send(route.Home, new ShardEnvelope(request.Id, transport.Self.Address, shard, route.Epoch, command)))
        {
            requests.TryTake(request.Id, out _);
            return null;
        }

        return request.Task;
    }
}
