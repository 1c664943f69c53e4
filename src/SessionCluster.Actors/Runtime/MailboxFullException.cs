namespace SessionCluster.Actors.Runtime;

/// <summary>An Ask's message was refused because the target's bounded mailbox was full (see <see cref="MailboxBound"/>).</summary>
public sealed class MailboxFullException(string path, int capacity)
    : Exception($"Actor {path} is overloaded: its mailbox holds {capacity} messages or more; retry later.")
{
    /// <summary>The actor that refused the message.</summary>
    public string Path { get; } = path;

    /// <summary>The capacity of its mailbox.</summary>
    public int Capacity { get; } = capacity;
}
