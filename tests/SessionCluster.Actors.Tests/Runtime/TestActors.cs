using SessionCluster.Actors.Runtime;

namespace SessionCluster.Actors.Tests.Runtime;

/// <summary>Replies to every message with the same message.</summary>
internal sealed class EchoActor : Actor
{
    protected internal override void Receive(object message) => Sender.Tell(message, Self);
}

/// <summary>Counts "inc", replies to "get" with the count, throws on "boom"; reports lifecycle hooks to a probe.</summary>
internal sealed class CounterActor(ActorRef lifecycle) : Actor
{
    private int _count;

    protected internal override void PreStart() => lifecycle.Tell("started");

    protected internal override void PostStop() => lifecycle.Tell("stopped");

    protected internal override void PostRestart(Exception reason)
    {
        lifecycle.Tell("restarted:" + reason.Message);
        base.PostRestart(reason);
    }

    protected internal override void Receive(object message)
    {
        switch (message)
        {
            case "inc":
                _count++;
                break;
            case "get":
                Sender.Tell(_count);
                break;
            case "boom":
                throw new InvalidOperationException("boom");
            default:
                Unhandled(message);
                break;
        }
    }
}

/// <summary>A parent whose children are made from the props it is given and supervised by the strategy it is given.</summary>
internal sealed class ParentActor(SupervisorStrategy strategy, Props childProps, ActorRef lifecycle) : Actor
{
    protected internal override SupervisorStrategy SupervisorStrategy => strategy;

    protected internal override void PreStart() => Context.ActorOf(childProps, "child");

    protected internal override void PostStop() => lifecycle.Tell("parent-stopped");

    protected internal override void Receive(object message)
    {
        switch (message)
        {
            case "child":
                Sender.Tell(Context.Child("child") ?? (object)"none");
                break;
            default:
                Context.Child("child")?.Forward(message, Context);
                break;
        }
    }
}

/// <summary>Watches whatever reference it is sent, and reports Terminated to a probe.</summary>
internal sealed class WatcherActor(ActorRef report) : Actor
{
    protected internal override void Receive(object message)
    {
        switch (message)
        {
            case Terminated terminated:
                report.Tell(terminated);
                break;
            case ("unwatch", ActorRef target):
                Context.Unwatch((ActorRef)target);
                Sender.Tell("unwatched");
                break;
            case ActorRef target:
                Context.Watch(target);
                Sender.Tell("watching");
                break;
        }
    }
}
