using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Logging;

namespace SessionCluster.Actors.Management;

/// <summary>Decides whether a management request may proceed: checks its bearer token against
/// <see cref="ManagementSettings.Token"/> in constant time, and refuses a client that sent too many wrong ones.</summary>
/// <remarks>Both tokens are hashed with SHA-256 before <see cref="CryptographicOperations.FixedTimeEquals"/>, so the
/// comparison takes the same time whatever the token's length or its first differing byte. A throttled client is refused
/// before its token is looked at, even a right one: otherwise the 429 would only slow guessing, not stop it. A missing
/// token is not counted as a failure (a browser or dashboard without one is no guess), a wrong one is, and logged with
/// the client and path, never the token.</remarks>
public sealed partial class ManagementAuthorization
{
    private const string Scheme = "Bearer ";

    private readonly ManagementSettings _settings;
    private readonly byte[]? _tokenHash;
    private readonly FailedAttemptLimiter _limiter;
    private readonly ILogger _logger;

    public ManagementAuthorization(ManagementSettings settings, TimeProvider time, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(settings);
        _settings = settings;
        _tokenHash = settings.ActionsEnabled ? SHA256.HashData(Encoding.UTF8.GetBytes(settings.Token)) : null;
        _limiter = new FailedAttemptLimiter(settings.MaxFailedAttemptsPerMinute, time);
        _logger = logger;
    }

    public ManagementSettings Settings => _settings;

    /// <summary>Checks an action (always needs the token) or a read (needs it only with protect-reads).</summary>
    /// <param name="authorization">The Authorization header, if any.</param>
    /// <param name="client">Who asks (the remote IP address), for throttling and the log.</param>
    /// <param name="path">What was asked, for the log.</param>
    /// <param name="isAction">True for an action, false for a read.</param>
    /// <param name="retryAfter">For <see cref="ManagementAccess.Throttled"/>: when the client may try again.</param>
    public ManagementAccess Check(string? authorization, string client, string path, bool isAction, out TimeSpan retryAfter)
    {
        retryAfter = TimeSpan.Zero;
        if (!isAction && !_settings.ProtectReads)
        {
            return ManagementAccess.Allowed;
        }

        if (_tokenHash is null)
        {
            return ManagementAccess.Disabled;
        }

        if (_limiter.RetryAfter(client) is { } wait)
        {
            retryAfter = wait;
            LogThrottled(client, path);
            return ManagementAccess.Throttled;
        }

        if (authorization is null || !authorization.StartsWith(Scheme, StringComparison.OrdinalIgnoreCase))
        {
            return ManagementAccess.Missing;
        }

        var presented = SHA256.HashData(Encoding.UTF8.GetBytes(authorization.AsSpan(Scheme.Length).Trim().ToString()));
        if (CryptographicOperations.FixedTimeEquals(presented, _tokenHash))
        {
            return ManagementAccess.Allowed;
        }

        var failures = _limiter.RecordFailure(client);
        LogWrongToken(client, path, failures, _settings.MaxFailedAttemptsPerMinute);
        return ManagementAccess.Wrong;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Management request {Path} from {Client} refused: wrong token ({Failures} of {Limit} failures allowed per minute)")]
    private partial void LogWrongToken(string client, string path, int failures, int limit);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Management request {Path} from {Client} refused: too many wrong tokens in the last minute")]
    private partial void LogThrottled(string client, string path);
}
