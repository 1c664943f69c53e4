using System.Diagnostics.CodeAnalysis;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using SessionCluster.Actors.Runtime;
using SessionCluster.Actors.Sessions;
using SessionCluster.Actors.Sharding;

namespace SessionCluster.Hosting.AspNetSessions;

/// <summary>One request's view of a clustered session, as ASP.NET Core's <see cref="ISession"/>: loaded once, changed
/// locally, committed as one batch of only the keys this request changed.</summary>
/// <remarks>
/// <para><b>Load.</b> <see cref="LoadAsync"/> (or the first synchronous access, which then blocks on it: call
/// <c>LoadAsync</c> first, as with any remote session store) fetches the session document; it counts as an access.
/// A key the middleware minted in this request has no session yet, so nothing is fetched.</para>
/// <para><b>Ids.</b> The session id is <see cref="SessionKeyIds.IdOf"/> the middleware's key. A session is created only
/// on the first commit that changes something, and only under a key minted in this request: the middleware's new key,
/// or, when the cookie's key names a session that does not exist (expired, invalidated, never committed), a new key the
/// store mints and sends as a new cookie (<see cref="SessionCookieRenewal"/>). A dead key is never brought back. The
/// creation carries that first commit, so a new session costs one round trip.</para>
/// <para><b>Commit.</b> Sets and removes are tracked per key; <see cref="CommitAsync"/> sends them as one
/// <see cref="ApplyAttributeChanges"/> (all or none), so concurrent requests of one session that change different keys
/// keep each other's changes, and <see cref="Clear"/> removes the keys this request saw. A refused commit (a limit) or
/// one that could not reach the session throws <see cref="SessionStoreException"/>; the middleware's own commit at the
/// end of the request logs it, an explicit <c>await CommitAsync()</c> lets the app handle it.</para>
/// <para><b>Route.</b> Every reply that shows the session names its home; <see cref="SessionRouteCookie"/> passes it
/// to the browser for a sticky balancer.</para>
/// <para>Not thread-safe, like every <see cref="ISession"/>: one request uses it at a time.</para>
/// </remarks>
internal sealed partial class ClusterSession : ISession
{
    private readonly SessionClient _client;
    private readonly SessionKeyIds _ids;
    private readonly TimeSpan _idleTimeout;
    private readonly TimeSpan _ioTimeout;
    private readonly Func<bool> _tryEstablishSession;
    private readonly SessionCookieRenewal? _renewal;
    private readonly ILogger _logger;
    private readonly SessionRouteCookie? _route;
    private readonly Dictionary<string, byte[]> _values = new(StringComparer.Ordinal);
    private readonly Dictionary<string, byte[]?> _changes = new(StringComparer.Ordinal);
    private SessionId _id;
    private bool _mustCreate;
    private bool _renewed;
    private bool _loaded;

    public ClusterSession(
        SessionClient client,
        SessionKeyIds ids,
        string sessionKey,
        TimeSpan idleTimeout,
        TimeSpan ioTimeout,
        Func<bool> tryEstablishSession,
        bool isNewSessionKey,
        SessionCookieRenewal? renewal,
        ILogger logger,
        SessionRouteCookie? route = null)
    {
        _route = route;
        _client = client;
        _ids = ids;
        _idleTimeout = idleTimeout;
        _ioTimeout = ioTimeout;
        _tryEstablishSession = tryEstablishSession;
        _renewal = renewal;
        _logger = logger;
        _id = ids.IdOf(sessionKey);
        if (isNewSessionKey)
        {
            // Minted by the middleware in this request: nothing to fetch, created on the first commit that writes.
            _mustCreate = true;
            _loaded = true;
        }
    }

    public bool IsAvailable
    {
        get
        {
            try
            {
                Load();
                return true;
            }
            catch (SessionStoreException)
            {
                return false;
            }
        }
    }

    /// <summary>The cluster's id of this session (32 hex digits), as <c>/cluster/sessions/{id}</c> shows it.</summary>
    public string Id
    {
        get
        {
            Load();
            return _id.ToString();
        }
    }

    public IEnumerable<string> Keys
    {
        get
        {
            Load();
            return [.. _values.Keys];
        }
    }

    public bool TryGetValue(string key, [NotNullWhen(true)] out byte[]? value)
    {
        ArgumentNullException.ThrowIfNull(key);
        Load();
        return _values.TryGetValue(key, out value);
    }

    public void Set(string key, byte[] value)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(value);
        var settings = _client.Settings;
        if (SessionCommands.ValidateName(key, settings) is { } invalid)
        {
            throw new ArgumentException(invalid.Message, nameof(key));
        }

        var encoded = SessionValueEncoding.Encode(value);
        if (encoded.Length > settings.MaxValueBytes)
        {
            throw new SessionStoreException(
                $"The session value '{key}' takes {encoded.Length} bytes once stored; the limit (session-cluster.sessions.max-value-size) is {settings.MaxValueBytes}.");
        }

        Load();
        if (_renewed && _renewal is null)
        {
            throw new InvalidOperationException(
                "The request's session cookie names a session that no longer exists, and without an HttpContext (IHttpContextAccessor) no new cookie can be sent; nothing is written.");
        }

        if (!(_renewed ? _renewal!.TryEstablish() : _tryEstablishSession()))
        {
            throw new InvalidOperationException("The session cannot be established after the response has started.");
        }

        _values[key] = value.ToArray();
        _changes[key] = encoded;
    }

    public void Remove(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        Load();
        if (_values.Remove(key))
        {
            _changes[key] = null;
        }
    }

    public void Clear()
    {
        Load();
        foreach (var key in _values.Keys)
        {
            _changes[key] = null;
        }

        _values.Clear();
    }

    public async Task LoadAsync(CancellationToken cancellationToken = default)
    {
        if (_loaded)
        {
            return;
        }

        var reply = await SendAsync(new GetSession(_id), "load", cancellationToken).ConfigureAwait(false);
        switch (reply)
        {
            case SessionSnapshot snapshot:
                _route?.Update(snapshot.Owner);
                foreach (var (name, json) in snapshot.Attributes)
                {
                    _values[name] = SessionValueEncoding.Decode(json);
                }

                break;
            case SessionNotFound:
                // Expired, invalidated or never committed: never re-created under this key. A fresh key and a new
                // cookie replace it if this request writes anything.
                var key = SessionKeyIds.NewKey();
                LogReplacingDeadKey(_id.ToString());
                _id = _ids.IdOf(key);
                _renewal?.Renew(key);
                _renewed = true;
                _mustCreate = true;
                break;
            default:
                throw Failure(reply, "load");
        }

        _loaded = true;
    }

    public async Task CommitAsync(CancellationToken cancellationToken = default)
    {
        if (_changes.Count == 0)
        {
            return;
        }

        var changes = new ApplyAttributeChanges(_id, [.. _changes.Select(pair => new AttributeChange(pair.Key, pair.Value))]);
        // A new session is created with its first commit in one round trip.
        var reply = _mustCreate
            ? await SendAsync(new CreateSession(_id, _idleTimeout, changes), "create and commit", cancellationToken).ConfigureAwait(false)
            : await SendAsync(changes, "commit", cancellationToken).ConfigureAwait(false);
        if (reply is SessionSnapshot or SessionRejected)
        {
            // Either way the session now exists (a refused first commit leaves it empty).
            _mustCreate = false;
        }

        if (reply is SessionSnapshot committed)
        {
            _route?.Update(committed.Owner);
            _changes.Clear();
            return;
        }

        if (reply is SessionRejected)
        {
            // Nothing was applied; what this request sees must not pretend otherwise, nor be committed again by the
            // middleware at the end of the request.
            _changes.Clear();
            _values.Clear();
            _loaded = false;
        }

        throw Failure(reply, "commit");
    }

    private void Load()
    {
        if (!_loaded)
        {
            // ISession's reads are synchronous; an app that did not await LoadAsync first pays for a blocking fetch here,
            // as with ASP.NET Core's distributed-cache store.
            LoadAsync().GetAwaiter().GetResult();
        }
    }

    private async Task<object> SendAsync(SessionCommand command, string operation, CancellationToken cancellationToken)
    {
        // The client bounds every send itself; only an IOTimeout shorter than that bound needs a timer of its own.
        using var timeout = _ioTimeout < _client.LongestWait ? new CancellationTokenSource(_ioTimeout) : null;
        using var linked = timeout is null ? null : CancellationTokenSource.CreateLinkedTokenSource(timeout.Token, cancellationToken);
        try
        {
            return await _client.Send(command, linked?.Token ?? cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException exception) when (timeout is { IsCancellationRequested: true } && !cancellationToken.IsCancellationRequested)
        {
            throw new SessionStoreException($"Timed out after {_ioTimeout.TotalSeconds:0.###} s (SessionOptions.IOTimeout) trying to {operation} session {_id}.", exception);
        }
        catch (AskTimeoutException exception)
        {
            throw new SessionStoreException($"Session {_id} did not answer the {operation} in time: {exception.Message}", exception);
        }
    }

    private SessionStoreException Failure(object reply, string operation) => reply switch
    {
        SessionRejected rejected => new SessionStoreException($"The session refused the {operation}: {rejected.Message}"),
        SessionNotFound => new SessionStoreException($"Session {_id} ended (expired or invalidated) before the {operation}; nothing was written."),
        ShardUnavailable unavailable => new SessionStoreException(
            $"Session {_id} is unavailable ({operation}): {unavailable.Reason}.", unavailable.MayHaveApplied),
        _ => new SessionStoreException($"Session {_id} answered the {operation} with {reply.GetType().Name}."),
    };

    [LoggerMessage(Level = LogLevel.Debug, Message = "Session {Id} from the request's cookie does not exist; a new key replaces it if the request writes")]
    private partial void LogReplacingDeadKey(string id);
}
