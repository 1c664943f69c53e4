namespace SessionCluster.Actors.Sessions;

/// <summary>Roughly how many bytes session commands and replies take on the wire, computed from the values they carry
/// without encoding them: what an outbound queue counts against its byte bound (replicated states have
/// <see cref="SessionCrdtWireFormat.EstimatedSize"/>).</summary>
/// <remarks>Names count one byte a character (UTF-8 may take up to three, but names are short and bounded); values are
/// already bytes. The fixed allowances cover ids, timestamps and field tags; only the order of magnitude matters.</remarks>
public static class SessionMessageSizes
{
    /// <summary>Ids, epochs, request ids and field tags of a command or reply with no values: what the transport takes
    /// any message without values to weigh.</summary>
    public const int FixedBytes = Remoting.WireBinding.SmallMessageBytes;

    /// <summary>Field tags and lengths of one attribute.</summary>
    private const int AttributeBytes = 8;

    /// <summary>A command with its names and values.</summary>
    public static int Of(SessionCommand command) => FixedBytes + command switch
    {
        SetAttribute set => AttributeBytes + set.Name.Length + set.JsonValue.Length,
        GetAttribute get => get.Name.Length,
        RemoveAttribute remove => remove.Name.Length,
        IncrementAttribute increment => increment.Name.Length,
        ApplyAttributeChanges apply => SumOf(apply.Changes),
        CreateSessionFrom copy => SumOf(copy.Attributes),
        EndRotatedSession end => SumOf(end.Attributes),
        CreateSession { Then: { } then } => Of(then),
        _ => 0,
    };

    /// <summary>An entity's reply with its attributes, or anything else a request may be answered with.</summary>
    public static int OfReply(object reply) => FixedBytes + reply switch
    {
        SessionSnapshot snapshot => snapshot.Owner.Length + SumOf(snapshot.Attributes),
        AttributeValue value => AttributeBytes + value.Name.Length + (value.JsonValue?.Length ?? 0),
        SessionRejected rejected => rejected.Message.Length,
        _ => 0,
    };

    private static int SumOf(IReadOnlyList<KeyValuePair<string, byte[]>> attributes)
    {
        var bytes = 0;
        foreach (var (name, value) in attributes)
        {
            bytes += AttributeBytes + name.Length + value.Length;
        }

        return bytes;
    }

    private static int SumOf(IReadOnlyList<AttributeChange> changes)
    {
        var bytes = 0;
        foreach (var change in changes)
        {
            bytes += AttributeBytes + change.Name.Length + (change.JsonValue?.Length ?? 0);
        }

        return bytes;
    }
}
