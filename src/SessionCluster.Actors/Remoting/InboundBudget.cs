namespace SessionCluster.Actors.Remoting;

/// <summary>The message budget of one inbound connection: a token bucket that refills at a rate and holds at most one
/// second's worth, as a pure value (state + spend + now → state + wait).</summary>
/// <remarks>
/// Spending may overdraw: the connection then waits until the debt is repaid before it reads on. Waiting rather than
/// closing is the gentler bound: a legitimate burst slows down, and TCP pushes back on the sender, whose bounded queue
/// overflows and counts; a peer that floods gets no more of this node's CPU and memory than the rate, and no other
/// connection is touched.
/// </remarks>
/// <param name="Tokens">Messages that may be delivered now without waiting; negative when overdrawn.</param>
/// <param name="At">When <paramref name="Tokens"/> was computed, on the connection's own clock.</param>
internal readonly record struct InboundBudget(double Tokens, TimeSpan At)
{
    /// <summary>A full bucket at <paramref name="now"/>: a second's worth of <paramref name="perSecond"/>.</summary>
    public static InboundBudget Full(int perSecond, TimeSpan now) => new(perSecond, now);

    /// <summary>Spends <paramref name="messages"/> at <paramref name="now"/>; the wait before the next read.</summary>
    public (InboundBudget Next, TimeSpan Wait) Spend(int messages, TimeSpan now, int perSecond)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(messages);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(perSecond);
        var elapsed = now > At ? (now - At).TotalSeconds : 0;
        var tokens = Math.Min(perSecond, Tokens + (elapsed * perSecond)) - messages;
        var wait = tokens >= 0 ? TimeSpan.Zero : TimeSpan.FromSeconds(-tokens / perSecond);
        return (new InboundBudget(tokens, now), wait);
    }
}
