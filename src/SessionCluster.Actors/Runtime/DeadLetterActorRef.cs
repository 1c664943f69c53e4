namespace SessionCluster.Actors.Runtime;

/// <summary>Where messages to stopped actors go: counted and logged at Debug, never an exception.</summary>
internal sealed class DeadLetterActorRef(ActorSystem system) : ActorRef
{
    public override string Path => "/deadLetters";

    internal override ActorSystem System => system;

    public override void Tell(object message, ActorRef? sender = null)
    {
        switch (message)
        {
            case DeadLetter letter:
                system.PublishDeadLetter(letter.Message, letter.Sender, letter.Recipient);
                break;
            case UnhandledMessage unhandled:
                system.PublishDeadLetter(unhandled.Message, sender, unhandled.Recipient);
                break;
            default:
                system.PublishDeadLetter(message, sender, this);
                break;
        }
    }
}
