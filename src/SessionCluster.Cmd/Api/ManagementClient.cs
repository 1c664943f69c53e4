using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using SessionCluster.Cmd.Model;

namespace SessionCluster.Cmd.Api;

/// <summary>
/// The management API of one node (<c>/cluster/…</c>, see notes/api.md) over HTTP. Every failure becomes a
/// <see cref="ManagementException"/> with a one-line message and the exit code it means: no answer
/// (<see cref="ExitCodes.Unreachable"/>), an error answer (<see cref="ExitCodes.Refused"/>), or an answer that is not
/// the API's JSON (<see cref="ExitCodes.BadAnswer"/>).
/// </summary>
public sealed class ManagementClient : IDisposable
{
    private const int ExcerptLength = 80;

    private readonly HttpClient _http;
    private readonly string? _token;
    private readonly TimeSpan _timeout;

    /// <param name="baseAddress">The node's HTTP base address (<see cref="NodeEndpoint"/>).</param>
    /// <param name="token">The management token, sent as a bearer token on every request when given.</param>
    /// <param name="timeout">How long one request may take to be answered in full (for the event stream: its headers).</param>
    /// <param name="handler">The HTTP handler; null for a plain socket handler.</param>
    public ManagementClient(Uri baseAddress, string? token, TimeSpan timeout, HttpMessageHandler? handler = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(timeout, TimeSpan.Zero);
        BaseAddress = baseAddress;
        _token = string.IsNullOrEmpty(token) ? null : token;
        _timeout = timeout;

        // Timeouts are ours (per request, and none on the event stream's body), so the client's own is off.
        _http = handler is null ? new HttpClient() : new HttpClient(handler, disposeHandler: false);
        _http.BaseAddress = baseAddress;
        _http.Timeout = Timeout.InfiniteTimeSpan;
    }

    public Uri BaseAddress { get; }

    /// <summary>The node as the operator named it, for messages: <c>host:port</c>.</summary>
    public string Node => BaseAddress.Authority;

    public Task<ApiAnswer<MembersDocument>> GetMembersAsync(CancellationToken cancellation) =>
        SendAsync(HttpMethod.Get, "cluster/members", ApiJsonContext.Default.MembersDocument, cancellation);

    public Task<ApiAnswer<ShardTableDocument>> GetShardsAsync(CancellationToken cancellation) =>
        SendAsync(HttpMethod.Get, "cluster/shards", ApiJsonContext.Default.ShardTableDocument, cancellation);

    public Task<ApiAnswer<RegionsDocument>> GetRegionsAsync(CancellationToken cancellation) =>
        SendAsync(HttpMethod.Get, "cluster/regions", ApiJsonContext.Default.RegionsDocument, cancellation);

    public Task<ApiAnswer<SessionLocation>> LocateSessionAsync(string sessionId, CancellationToken cancellation) =>
        SendAsync(HttpMethod.Get, "cluster/sessions/" + Uri.EscapeDataString(sessionId), ApiJsonContext.Default.SessionLocation, cancellation);

    public Task<ApiAnswer<ActionResult>> LeaveAsync(string address, CancellationToken cancellation) => ActAsync("leave/" + Uri.EscapeDataString(address), cancellation);

    public Task<ApiAnswer<ActionResult>> DownAsync(string address, CancellationToken cancellation) => ActAsync("down/" + Uri.EscapeDataString(address), cancellation);

    public Task<ApiAnswer<ActionResult>> DownUnreachableAsync(CancellationToken cancellation) => ActAsync("down-unreachable", cancellation);

    public Task<ApiAnswer<ActionResult>> DrainAsync(string address, CancellationToken cancellation) => ActAsync("drain/" + Uri.EscapeDataString(address), cancellation);

    public Task<ApiAnswer<ActionResult>> RebalanceAsync(CancellationToken cancellation) => ActAsync("rebalance", cancellation);

    public Task<ApiAnswer<ActionResult>> SetWeightAsync(string address, int weight, CancellationToken cancellation) =>
        ActAsync($"weight/{Uri.EscapeDataString(address)}?value={weight.ToString(CultureInfo.InvariantCulture)}", cancellation);

    /// <summary>
    /// <c>GET /cluster/events</c>: every event the node sends, until <paramref name="cancellation"/> (then the
    /// enumeration just ends) or the node ends the stream (a <see cref="ManagementException"/>, unreachable).
    /// </summary>
    public async IAsyncEnumerable<ApiAnswer<ClusterEvent>> StreamEventsAsync([EnumeratorCancellation] CancellationToken cancellation)
    {
        const string path = "cluster/events";
        using var request = NewRequest(HttpMethod.Get, path, "text/event-stream");
        using var response = await ReceiveWithHeaderTimeoutAsync(request, path, HttpCompletionOption.ResponseHeadersRead, cancellation);
        if (!response.IsSuccessStatusCode)
        {
            throw Refusal(response, await ReadBodyWithTimeoutAsync(response, path, cancellation), path);
        }

        if (response.Content.Headers.ContentType?.MediaType != "text/event-stream")
        {
            var body = await ReadBodyWithTimeoutAsync(response, path, cancellation);
            throw new ManagementException(ExitCodes.BadAnswer, $"{Node} answered GET /{Shown(path)} with {response.Content.Headers.ContentType?.MediaType ?? "no content type"}, not an event stream: {Excerpt(body)}");
        }

        await using var stream = await response.Content.ReadAsStreamAsync(cancellation);
        using var reader = new StreamReader(stream);
        var events = new ServerSentEventReader();
        while (true)
        {
            string? line;
            try
            {
                line = await reader.ReadLineAsync(cancellation);
            }
            catch (OperationCanceledException) when (cancellation.IsCancellationRequested)
            {
                yield break;
            }
            catch (Exception exception) when (exception is IOException or HttpRequestException)
            {
                throw new ManagementException(ExitCodes.Unreachable, $"{Node} broke off the event stream: {Innermost(exception)}.", exception);
            }

            if (line is null)
            {
                throw new ManagementException(ExitCodes.Unreachable, $"{Node} ended the event stream (the node stopped, or left the cluster).");
            }

            if (events.Feed(line) is { } data)
            {
                yield return new ApiAnswer<ClusterEvent>(Parse(data, ApiJsonContext.Default.ClusterEvent, path), data);
            }
        }
    }

    public void Dispose() => _http.Dispose();

    private Task<ApiAnswer<ActionResult>> ActAsync(string action, CancellationToken cancellation) =>
        SendAsync(HttpMethod.Post, "cluster/" + action, ApiJsonContext.Default.ActionResult, cancellation);

    private async Task<ApiAnswer<T>> SendAsync<T>(HttpMethod method, string path, JsonTypeInfo<T> type, CancellationToken cancellation)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        timeout.CancelAfter(_timeout);
        using var request = NewRequest(method, path, "application/json");
        using var response = await ReceiveAsync(request, path, HttpCompletionOption.ResponseContentRead, timeout.Token, cancellation);
        var body = await ReadBodyAsync(response, path, timeout.Token, cancellation);
        if (!response.IsSuccessStatusCode)
        {
            throw Refusal(response, body, path);
        }

        return new ApiAnswer<T>(Parse(body, type, path), body.Trim());
    }

    private HttpRequestMessage NewRequest(HttpMethod method, string path, string accept)
    {
        var request = new HttpRequestMessage(method, path);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue(accept));
        if (_token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", _token);
        }

        return request;
    }

    /// <summary>Sends with the timeout on the headers only: the body of a stream may flow for hours.</summary>
    private async Task<HttpResponseMessage> ReceiveWithHeaderTimeoutAsync(HttpRequestMessage request, string path, HttpCompletionOption completion, CancellationToken cancellation)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        timeout.CancelAfter(_timeout);
        return await ReceiveAsync(request, path, completion, timeout.Token, cancellation);
    }

    /// <summary>Sends; <paramref name="token"/> carries the timeout, <paramref name="cancellation"/> is the operator's Ctrl+C.</summary>
    private async Task<HttpResponseMessage> ReceiveAsync(HttpRequestMessage request, string path, HttpCompletionOption completion, CancellationToken token, CancellationToken cancellation)
    {
        try
        {
            return await _http.SendAsync(request, completion, token);
        }
        catch (OperationCanceledException exception) when (!cancellation.IsCancellationRequested)
        {
            throw TimedOut(request.Method, path, exception);
        }
        catch (HttpRequestException exception)
        {
            throw Unreachable(request.Method, path, exception);
        }
    }

    /// <summary>Reads a whole (error) body of a response whose headers came without a timeout, within the timeout.</summary>
    private async Task<string> ReadBodyWithTimeoutAsync(HttpResponseMessage response, string path, CancellationToken cancellation)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        timeout.CancelAfter(_timeout);
        return await ReadBodyAsync(response, path, timeout.Token, cancellation);
    }

    private async Task<string> ReadBodyAsync(HttpResponseMessage response, string path, CancellationToken token, CancellationToken cancellation)
    {
        var method = response.RequestMessage?.Method ?? HttpMethod.Get;
        try
        {
            return await response.Content.ReadAsStringAsync(token);
        }
        catch (OperationCanceledException exception) when (!cancellation.IsCancellationRequested)
        {
            throw TimedOut(method, path, exception);
        }
        catch (Exception exception) when (exception is HttpRequestException or IOException)
        {
            throw new ManagementException(ExitCodes.Unreachable, $"{Node} broke off its answer to {method} /{Shown(path)}: {Innermost(exception)}", exception);
        }
    }

    private ManagementException TimedOut(HttpMethod method, string path, Exception exception) =>
        new(ExitCodes.Unreachable, $"{Node} did not answer {method} /{Shown(path)} within {_timeout.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture)} s (--timeout).", exception);

    /// <summary>No connection at all (nothing listens, no such host) reads differently from a connection the node dropped.</summary>
    private ManagementException Unreachable(HttpMethod method, string path, HttpRequestException exception)
    {
        var socket = Inner<SocketException>(exception);
        var neverConnected = exception.HttpRequestError == HttpRequestError.NameResolutionError
            || socket?.SocketErrorCode is SocketError.ConnectionRefused or SocketError.HostNotFound or SocketError.HostUnreachable
                or SocketError.NetworkUnreachable or SocketError.TimedOut or SocketError.AddressNotAvailable or SocketError.TryAgain or SocketError.NoData;
        return neverConnected
            ? new ManagementException(ExitCodes.Unreachable, $"cannot reach the node at {Node}: {Innermost(exception)}. Is it running? Pick a node with --node or SESSIONCTL_NODE.", exception)
            : new ManagementException(ExitCodes.Unreachable, $"{Node} closed the connection without a valid answer to {method} /{Shown(path)}: {Innermost(exception)}.", exception);
    }

    /// <summary>An error answer: the node's own sentence when it sent one, with the status and what to do about it.</summary>
    private ManagementException Refusal(HttpResponseMessage response, string body, string path)
    {
        var status = (int)response.StatusCode;
        var reason = response.ReasonPhrase is { Length: > 0 } phrase ? phrase : response.StatusCode.ToString();
        var said = TryParseError(body);
        var retry = response.Headers.RetryAfter?.Delta is { } delta ? $" Retry after {delta.TotalSeconds.ToString("0", CultureInfo.InvariantCulture)} s." : "";
        var method = response.RequestMessage?.Method ?? HttpMethod.Get;
        var message = response.StatusCode switch
        {
            HttpStatusCode.Unauthorized when _token is null =>
                $"{Node} answered 401 {reason}: {said ?? "a token is required"}. Pass the management token with --token or SESSIONCTL_TOKEN.",
            HttpStatusCode.Unauthorized =>
                $"{Node} answered 401 {reason}: {said ?? "the token was refused"}. Check the token given with --token or SESSIONCTL_TOKEN.",
            HttpStatusCode.Forbidden => $"{Node} answered 403 {reason}: {said ?? "management actions are disabled on this node"}",
            HttpStatusCode.NotFound when said is null =>
                $"{Node} has no {method} /{Shown(path)} (404 {reason}): it is not a SessionCluster node, or one without this part of the management API.",
            _ => $"{Node} answered {status} {reason}: {said ?? (body.Length == 0 ? "(no body)" : Excerpt(body))}",
        };
        message = message.TrimEnd();
        return new ManagementException(ExitCodes.Refused, (message.EndsWith('.') ? message : message + ".") + retry);
    }

    private static string? TryParseError(string body)
    {
        try
        {
            return JsonSerializer.Deserialize(body, ApiJsonContext.Default.ErrorDocument)?.Error.TrimEnd('.');
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private T Parse<T>(string body, JsonTypeInfo<T> type, string path)
    {
        try
        {
            return JsonSerializer.Deserialize(body, type) ?? throw new JsonException("the document is null");
        }
        catch (JsonException exception)
        {
            throw new ManagementException(ExitCodes.BadAnswer, $"{Node} answered /{Shown(path)} with something other than the management API's JSON ({exception.Message}): {Excerpt(body)}", exception);
        }
    }

    /// <summary>The path as the operator typed its parts (addresses unescaped), for messages.</summary>
    private static string Shown(string path) => Uri.UnescapeDataString(path);

    private static string Excerpt(string body)
    {
        var flat = string.Join(' ', body.Split(['\r', '\n', '\t'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        return flat.Length == 0 ? "(empty body)" : flat.Length <= ExcerptLength ? flat : flat[..ExcerptLength] + "…";
    }

    private static T? Inner<T>(Exception? exception)
        where T : Exception
    {
        for (; exception is not null; exception = exception.InnerException)
        {
            if (exception is T found)
            {
                return found;
            }
        }

        return null;
    }

    private static string Innermost(Exception exception)
    {
        while (exception.InnerException is { } inner)
        {
            exception = inner;
        }

        return exception.Message.TrimEnd('.');
    }
}
