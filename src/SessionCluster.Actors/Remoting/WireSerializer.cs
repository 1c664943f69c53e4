using System.Collections.Frozen;
using Google.Protobuf;

namespace SessionCluster.Actors.Remoting;

/// <summary>The registry of message types a transport can put on the wire: each domain type, its type id and its
/// conversions to and from a protobuf message.</summary>
/// <remarks>
/// Each layer registers its messages at start-up, with ids from <see cref="WireTypeIds"/>. The first transport that
/// starts with the registry freezes it: lookups then run lock-free on frozen dictionaries, on every send and every
/// received envelope, and a late registration fails loudly instead of racing those lookups. Conversions must be pure and
/// thread-safe: outbound ones run on a per-peer writer, inbound ones on a per-connection reader.
/// </remarks>
public sealed class WireSerializer
{
    private readonly object _gate = new();
    private readonly Dictionary<int, WireBinding> _byIdBuilding = [];
    private readonly Dictionary<Type, WireBinding> _byTypeBuilding = [];
    private FrozenDictionary<int, WireBinding>? _byId;
    private FrozenDictionary<Type, WireBinding>? _byType;

    /// <summary>True once a transport has started with this registry; registrations are then refused.</summary>
    public bool IsFrozen => Volatile.Read(ref _byType) is not null;

    /// <summary>Registers a domain type <typeparamref name="T"/> carried as the protobuf message <typeparamref name="TWire"/>.</summary>
    /// <param name="typeId">The type's id from <see cref="WireTypeIds"/>; positive and unique.</param>
    /// <param name="parser">The generated parser of <typeparamref name="TWire"/> (<c>TWire.Parser</c>).</param>
    /// <param name="toWire">Converts a domain message to its wire form.</param>
    /// <param name="fromWire">Converts a parsed wire message back; may throw on values that are invalid in the domain,
    /// which the transport treats as a malformed frame.</param>
    /// <param name="estimatedSize">Roughly the bytes a message takes on the wire, computed without encoding it (an
    /// outbound queue counts it against <see cref="RemoteSettings.OutboundQueueMaxBytes"/>); for types that carry
    /// values of any size. Null: <see cref="WireBinding.SmallMessageBytes"/>.</param>
    public WireSerializer Register<T, TWire>(
        int typeId, MessageParser<TWire> parser, Func<T, TWire> toWire, Func<TWire, T> fromWire, Func<T, int>? estimatedSize = null)
        where T : notnull
        where TWire : IMessage<TWire>
    {
        ArgumentNullException.ThrowIfNull(parser);
        ArgumentNullException.ThrowIfNull(toWire);
        ArgumentNullException.ThrowIfNull(fromWire);
        var binding = new WireBinding(
            typeId,
            typeof(T),
            message => toWire((T)message),
            payload => fromWire(ProtobufInput.Parse(parser, payload.Span)),
            parser.ParseFrom(ByteString.Empty).Descriptor,
            estimatedSize is null ? null : message => estimatedSize((T)message));
        Add(binding);
        return this;
    }

    /// <summary>Registers a protobuf message type that is itself the domain message.</summary>
    public WireSerializer Register<TWire>(int typeId, MessageParser<TWire> parser)
        where TWire : IMessage<TWire> =>
        Register<TWire, TWire>(typeId, parser, static message => message, static message => message);

    /// <summary>True if messages of exactly <paramref name="type"/> can be sent.</summary>
    public bool IsRegistered(Type type)
    {
        ArgumentNullException.ThrowIfNull(type);
        lock (_gate)
        {
            return _byTypeBuilding.ContainsKey(type);
        }
    }

    /// <summary>Stops registration; called when a transport starts with this registry. Idempotent.</summary>
    public void Freeze()
    {
        lock (_gate)
        {
            if (_byType is not null)
            {
                return;
            }

            _byId = _byIdBuilding.ToFrozenDictionary();
            Volatile.Write(ref _byType, _byTypeBuilding.ToFrozenDictionary());
        }
    }

    /// <summary>Every registered binding, in type id order.</summary>
    internal IReadOnlyList<WireBinding> Bindings
    {
        get
        {
            lock (_gate)
            {
                return [.. _byIdBuilding.Values.OrderBy(binding => binding.TypeId)];
            }
        }
    }

    /// <summary>The binding of a message's exact runtime type; lookups need a frozen registry.</summary>
    internal bool TryGetByType(Type type, out WireBinding binding)
    {
        var byType = _byType ?? throw new InvalidOperationException("The wire serializer is used before Freeze().");
        return byType.TryGetValue(type, out binding!);
    }

    /// <summary>The binding of an envelope's type id; lookups need a frozen registry.</summary>
    internal bool TryGetById(int typeId, out WireBinding binding)
    {
        var byId = _byId ?? throw new InvalidOperationException("The wire serializer is used before Freeze().");
        return byId.TryGetValue(typeId, out binding!);
    }

    private void Add(WireBinding binding)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(binding.TypeId, "typeId");
        lock (_gate)
        {
            if (_byType is not null)
            {
                throw new InvalidOperationException(
                    $"Cannot register {binding.Type.Name} (type id {binding.TypeId}): a transport already started with this serializer.");
            }

            if (_byIdBuilding.TryGetValue(binding.TypeId, out var taken))
            {
                throw new InvalidOperationException(
                    $"Type id {binding.TypeId} is already registered for {taken.Type.Name}; cannot register {binding.Type.Name}.");
            }

            if (_byTypeBuilding.TryGetValue(binding.Type, out taken))
            {
                throw new InvalidOperationException(
                    $"{binding.Type.Name} is already registered with type id {taken.TypeId}; cannot register it again as {binding.TypeId}.");
            }

            _byIdBuilding.Add(binding.TypeId, binding);
            _byTypeBuilding.Add(binding.Type, binding);
        }
    }
}
