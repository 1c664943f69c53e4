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
