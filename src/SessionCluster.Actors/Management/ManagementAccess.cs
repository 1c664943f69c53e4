namespace SessionCluster.Actors.Management;

/// <summary>The outcome of checking a request's token (see <see cref="ManagementAuthorization"/>).</summary>
public enum ManagementAccess
{
    /// <summary>Let it through.</summary>
    Allowed,

    /// <summary>No token is configured: actions are disabled (403).</summary>
    Disabled,

    /// <summary>No bearer token was sent (401).</summary>
    Missing,

    /// <summary>A wrong token was sent (401); counted against the client.</summary>
    Wrong,

    /// <summary>The client sent too many wrong tokens lately (429).</summary>
    Throttled,
}
