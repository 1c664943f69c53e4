using SessionCluster.Actors.Hosting;

namespace SessionCluster.Actors.Management;

/// <summary>Who may use the management API, bound from <c>session-cluster.management</c>.</summary>
/// <param name="Token">The bearer token every action (and, with <paramref name="ProtectReads"/>, every read) must carry;
/// empty disables the actions (403).</param>
/// <param name="ProtectReads">True if the reads need the token too.</param>
/// <param name="MaxFailedAttemptsPerMinute">Wrong tokens one client may send in a minute before it gets 429.</param>
/// <param name="Port">The HTTP port the management API answers on; 0 means the node's web port.</param>
public sealed record ManagementSettings(string Token, bool ProtectReads, int MaxFailedAttemptsPerMinute, int Port = 0)
{
    /// <summary>The settings path of the token, named in errors that tell an operator how to enable actions.</summary>
    public const string TokenSetting = "session-cluster.management.token";

    /// <summary>No token: actions disabled, reads open (reference.conf's defaults).</summary>
    public static ManagementSettings Disabled { get; } = new(string.Empty, false, 10);

    /// <summary>True if a token is configured, so that actions are possible.</summary>
    public bool ActionsEnabled => Token.Length > 0;

    /// <summary>Never the token itself: records print their members, and settings end up in logs.</summary>
    public override string ToString() =>
        $"ManagementSettings {{ Token = {(ActionsEnabled ? "(set)" : "(empty)")}, ProtectReads = {ProtectReads}, MaxFailedAttemptsPerMinute = {MaxFailedAttemptsPerMinute}, Port = {Port} }}";

    internal static ManagementSettings Read(SettingsReader reader)
    {
        var token = reader.String("management.token", allowEmpty: true);
        var protectReads = reader.Boolean("management.protect-reads");
        if (protectReads && token.Length == 0)
        {
            throw reader.Inconsistent("management.protect-reads", "reads cannot need a token while session-cluster.management.token is empty");
        }

        return new ManagementSettings(
            token,
            protectReads,
            reader.Int("management.max-failed-attempts-per-minute", min: 1, max: 10_000),
            reader.Int("management.port", min: 0, max: 65_535));
    }
}
