using System.Text;
using SessionCluster.Actors.Replication;

namespace SessionCluster.Actors.Sessions;

/// <summary>The rule for <see cref="ApplyAttributeChanges"/>: a batch of sets and removes applied as one delta.</summary>
public static partial class SessionCommands
{
    private static SessionUpdate ApplyChanges(SessionCrdt state, ApplyAttributeChanges batch, SessionHost host, DateTimeOffset now)
    {
        if (BatchRefusal(state, batch.Changes, host.Settings) is { } refused)
        {
            return new(state.Accessed(now), null, refused);
        }

        var (written, delta) = state.Touch(now);
        foreach (var change in batch.Changes)
        {
            if (change.JsonValue is { } value)
            {
                var (next, write) = written.Set(change.Name, value, Stamp(written, host, now));
                (written, delta) = (next, SessionCrdt.Merge(delta, write));
            }
            else if (written.Get(change.Name) is not null)
            {
                // Only a visible attribute leaves a tombstone (see Remove): a retried batch adds nothing.
                var (next, write) = written.Remove(change.Name, Stamp(written, host, now));
                (written, delta) = (next, SessionCrdt.Merge(delta, write));
            }
        }

        return new(written, delta, Snapshot(written, host.Owner));
    }

    /// <summary>Why the whole batch may not be applied to <paramref name="state"/>; null if it may. Counts and sizes are
    /// those the batch would leave; a batch that leaves a session no larger than it was is never refused for its size,
    /// so a session over lowered limits can still shrink.</summary>
    private static SessionRejected? BatchRefusal(SessionCrdt state, IReadOnlyList<AttributeChange> changes, SessionSettings limits)
    {
        // Most batches change one key (a request's commit): no set is needed to find a name given twice.
        var seen = changes.Count > 1 ? new HashSet<string>(StringComparer.Ordinal) : null;
        long count = state.AttributeCount;
        long size = state.SizeInBytes;
        foreach (var change in changes)
        {
            if (ValidateName(change.Name, limits) is { } invalid)
            {
                return invalid;
            }

            if (seen is not null && !seen.Add(change.Name))
            {
                return new SessionRejected(SessionRejection.InvalidName, $"The attribute '{change.Name}' appears twice in one batch.");
            }

            var old = state.Get(change.Name);
            if (change.JsonValue is { } value)
            {
                if (value.Length > limits.MaxValueBytes)
                {
                    return new SessionRejected(SessionRejection.ValueTooLarge, $"The value of '{change.Name}' is {value.Length} bytes; the limit is {limits.MaxValueBytes}.");
                }

                if (old is null && TooManyRemoved(state, change.Name, limits) is { } removed)
                {
                    return removed;
                }

                count += old is null ? 1 : 0;
                size += old is null ? Encoding.UTF8.GetByteCount(change.Name) + value.Length : value.Length - old.Length;
            }
            else if (old is not null)
            {
                count--;
                size -= Encoding.UTF8.GetByteCount(change.Name) + old.Length;
            }
        }

        if (count > limits.MaxAttributes && count > state.AttributeCount)
        {
            return new SessionRejected(SessionRejection.TooManyAttributes, $"The session would hold {count} attributes; the limit is {limits.MaxAttributes}.");
        }

        if (size > limits.MaxSessionBytes && size > state.SizeInBytes)
        {
            return new SessionRejected(SessionRejection.SessionTooLarge, $"The session would hold {size} bytes; the limit is {limits.MaxSessionBytes}.");
        }

        return null;
    }
}
