using SessionCluster.Actors.Membership;
using SessionCluster.Actors.Remoting;

namespace SessionCluster.TestKit;

/// <summary>One incarnation in a <see cref="ClusterSimulation"/>: a <see cref="MembershipNode"/> wired to an in-memory
/// transport and a tick timer on the simulation's manual clock, carrying out the effects it returns.</summary>
public sealed class SimulatedNode : ITransportHandler
{
    private readonly ClusterSimulation _simulation;
    private readonly List<(DateTimeOffset At, ClusterEvent Event)> _events = [];
    private ITimer? _tick;

    internal SimulatedNode(ClusterSimulation simulation, MembershipNode machine, InMemoryTransport transport)
    {
        _simulation = simulation;
        Machine = machine;
        Transport = transport;
    }

    public MembershipNode Machine { get; }

    public InMemoryTransport Transport { get; }

    public UniqueAddress Self => Machine.Self;

    public NodeAddress Address => Machine.Self.Address;

    /// <summary>False once crashed or shut down.</summary>
    public bool IsRunning => !IsCrashed && ShutDownReason is null;

    public bool IsCrashed { get; private set; }

    /// <summary>The reason of the node's <see cref="ShutDownSelf"/>, or null if it never shut itself down.</summary>
    public string? ShutDownReason { get; private set; }

    /// <summary>Whether that shutdown was the end of a leave the node was asked for (<see cref="ShutDownSelf.Left"/>).</summary>
    public bool ShutDownLeft { get; private set; }

    /// <summary>When the node shut itself down or crashed.</summary>
    public DateTimeOffset? StoppedAt { get; private set; }

    /// <summary>Every event the node published, with the virtual time.</summary>
    public IReadOnlyList<(DateTimeOffset At, ClusterEvent Event)> Events => _events;

    /// <summary>True if this node is a member and its own view lists <paramref name="count"/> members, all Up, all reachable.</summary>
    public bool SeesAllUp(int count) =>
        IsRunning && Machine.Phase == MembershipPhase.Member && Machine.Gossip.Members.Count == count &&
        Machine.Gossip.Members.Values.All(member => member.Status == MemberStatus.Up) && Machine.Gossip.Unreachable.IsEmpty;

    /// <summary>What runs on this node besides membership (sharding, say); null for membership only.</summary>
    public ISimulatedExtension? Extension { get; internal set; }

    public void OnMessage(UniqueAddress from, object message)
    {
        if (IsRunning && Extension?.OnMessage(from, message) != true)
        {
            Execute(Machine.Receive(from, message, _simulation.Clock.GetUtcNow()));
        }
    }

    /// <summary>The network refused a connection to <paramref name="peer"/> (its node crashed or stopped): observed now.</summary>
    public void OnConnectionRefused(NodeAddress peer)
    {
        if (IsRunning)
        {
            var now = _simulation.Clock.GetUtcNow();
            Execute(Machine.ConnectionRefused(peer, now, now));
        }
    }

    public override string ToString() =>
        $"{Self} {(IsCrashed ? "CRASHED" : ShutDownReason is { } reason ? $"SHUT DOWN ({reason})" : Machine.Phase.ToString())}" +
        $" leader={Machine.Leader?.ToString() ?? "-"} converged={Machine.IsConverged} " +
        $"members=[{string.Join("; ", Machine.Gossip.Members.Values)}] unreachable=[{string.Join(", ", Machine.Gossip.Unreachable)}]";

    internal void Start(TimeSpan tickPhase)
    {
        var clock = _simulation.Clock;
        Execute(Machine.Start(clock.GetUtcNow()));
        var interval = Machine.Settings.TickInterval;
        _tick = clock.CreateTimer(static state => ((SimulatedNode)state!).Tick(), this, tickPhase, interval);
    }

    internal void Invoke(Func<DateTimeOffset, IReadOnlyList<MembershipEffect>> input)
    {
        if (IsRunning)
        {
            Execute(input(_simulation.Clock.GetUtcNow()));
        }
    }

    internal void MarkCrashed()
    {
        IsCrashed = true;
        StoppedAt ??= _simulation.Clock.GetUtcNow();
        _tick?.Dispose();
        Extension?.OnStopped();
    }

    private void Tick()
    {
        if (IsRunning)
        {
            Execute(Machine.Tick(_simulation.Clock.GetUtcNow()));
            Extension?.OnTick();
        }
    }

    private void Execute(IReadOnlyList<MembershipEffect> effects)
    {
        var published = false;
        foreach (var effect in effects)
        {
            switch (effect)
            {
                case Send send:
                    Transport.Send(send.To, send.Message);
                    break;
                case Publish publish:
                    published = true;
                    _events.Add((_simulation.Clock.GetUtcNow(), publish.Event));
                    _simulation.Record(this, publish.Event.ToString());
                    break;
                case ShutDownSelf shutDown:
                    ShutDownReason = shutDown.Reason;
                    ShutDownLeft = shutDown.Left;
                    StoppedAt = _simulation.Clock.GetUtcNow();
                    _simulation.Record(this, $"ShutDownSelf: {shutDown.Reason}");
                    _tick?.Dispose();
                    _simulation.Network.Crash(Address); // Its cluster side is gone: the transport closes with it.
                    Extension?.OnMembershipChanged(Machine.State);
                    Extension?.OnStopped();
                    return;
            }
        }

        if (published)
        {
            Extension?.OnMembershipChanged(Machine.State);
        }
    }
}
