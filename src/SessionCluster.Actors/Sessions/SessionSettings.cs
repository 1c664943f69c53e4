namespace SessionCluster.Actors.Sessions;

/// <summary>Limits and lifetimes of sessions, bound from <c>session-cluster.sessions</c>; defaults live in reference.conf.</summary>
/// <param name="CookieName">Name of the session cookie.</param>
/// <param name="MaxInactiveInterval">Idle time after which a session expires; zero or less never expires.</param>
/// <param name="MaxValueBytes">Largest JSON value of one attribute, in bytes.</param>
/// <param name="MaxAttributes">Most attributes one session may hold.</param>
/// <param name="MaxSessionBytes">Largest total of attribute names and values in one session, in bytes.</param>
/// <param name="MaxNameLength">Longest attribute name, in characters.</param>
/// <param name="RequestTimeout">How long the web layer waits for a session to answer before a 503.</param>
/// <param name="ExpiryCheckInterval">How often a region looks for idle sessions to reclaim.</param>
public sealed record SessionSettings(
    string CookieName,
    TimeSpan MaxInactiveInterval,
    int MaxValueBytes,
    int MaxAttributes,
    int MaxSessionBytes,
    int MaxNameLength,
    TimeSpan RequestTimeout,
    TimeSpan ExpiryCheckInterval)
{
    /// <summary>The cookie carries the <c>Secure</c> flag on every response (<c>cookie-secure = always</c>: TLS ends at a
    /// proxy in front), not only on responses to HTTPS requests (<c>auto</c>, the default).</summary>
    public bool CookieSecureAlways { get; init; }

    /// <summary>Most removed attributes (tombstones) a session keeps before a write of a name it has never held is refused;
    /// 0: no limit (the default of settings built in code; reference.conf sets one). Without it, setting and removing
    /// ever new names would grow a session without bound, as tombstones are not collected.</summary>
    public int MaxRemovedAttributes { get; init; }

    /// <summary>Most sessions a node serves as their home (backup copies not counted) before it refuses to create more
    /// (Tomcat's maxActiveSessions); 0: no limit. Sessions that exist are always served, and hand-offs and failovers
    /// are never refused: the limit stops new sessions only.</summary>
    public int MaxActiveSessions { get; init; }
}
