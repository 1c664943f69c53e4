namespace SessionCluster.Actors.Runtime;

/// <summary>How to make an actor: a factory, called again on every restart.</summary>
public abstract class Props
{
    private protected Props()
    {
    }

    public static Props Create(Func<Actor> factory)
    {
        ArgumentNullException.ThrowIfNull(factory);
        return new FactoryProps(factory);
    }

    /// <summary>
    /// Props whose factory takes one argument. With a static lambda one delegate serves every actor, and a Props
    /// costs one small object instead of a delegate and a closure each: the difference shows at a million actors.
    /// </summary>
    public static Props Create<TArgument>(Func<TArgument, Actor> factory, TArgument argument)
        where TArgument : class
    {
        ArgumentNullException.ThrowIfNull(factory);
        ArgumentNullException.ThrowIfNull(argument);
        return new ArgumentProps<TArgument>(factory, argument);
    }

    public static Props Create<TActor>()
        where TActor : Actor, new() => new FactoryProps(static () => new TActor());

    /// <summary>The bound on the actor's user messages; null: unbounded (the default).</summary>
    public MailboxBound? Mailbox { get; private set; }

    /// <summary>These props with a bounded mailbox: see <see cref="MailboxBound"/> for what is refused and how.</summary>
    public Props WithMailbox(MailboxBound bound)
    {
        ArgumentNullException.ThrowIfNull(bound);
        var copy = (Props)MemberwiseClone();
        copy.Mailbox = bound;
        return copy;
    }

    internal abstract Actor NewActor();

    private sealed class FactoryProps(Func<Actor> factory) : Props
    {
        internal override Actor NewActor() => factory();
    }

    private sealed class ArgumentProps<TArgument>(Func<TArgument, Actor> factory, TArgument argument) : Props
    {
        internal override Actor NewActor() => factory(argument);
    }
}
