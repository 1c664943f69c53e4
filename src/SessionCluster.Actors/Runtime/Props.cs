namespace SessionCluster.Actors.Runtime;

/// <summary>How to make an actor: a factory, called again on every restart.</summary>
public sealed class Props
{
    private readonly Func<Actor> _factory;

    private Props(Func<Actor> factory) => _factory = factory;

    public static Props Create(Func<Actor> factory)
    {
        ArgumentNullException.ThrowIfNull(factory);
        return new Props(factory);
    }

    public static Props Create<TActor>()
        where TActor : Actor, new() => new(static () => new TActor());

    internal Actor NewActor() => _factory();
}
