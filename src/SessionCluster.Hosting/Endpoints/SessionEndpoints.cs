using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using SessionCluster.Actors.Hosting;
using SessionCluster.Actors.Runtime;
using SessionCluster.Actors.Sessions;
using SessionCluster.Actors.Sharding;
using SessionCluster.Hosting.Http;

namespace SessionCluster.Hosting.Endpoints;

/// <summary>The session HTTP contract: thin handlers that turn a request into one session command and its reply into JSON.</summary>
public static class SessionEndpoints
{
    /// <summary>Maps <c>/session</c>, its attributes, increment, invalidate and rotate, marked with
    /// <see cref="SessionContractMetadata"/> so that <see cref="SessionRequestMetrics"/> measures them; returns their
    /// group, for conventions of the caller's own.</summary>
    public static RouteGroupBuilder MapSessionEndpoints(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        var app = endpoints.MapGroup(string.Empty).WithMetadata(SessionContractMetadata.Instance);

        // The node is a singleton, taken from the root provider once. A handler parameter bound from services would make
        // every request build (and dispose) a DI scope just to find it again.
        var services = endpoints.ServiceProvider;
        SessionNode? resolved = null;
        SessionNode Node() => resolved ??= services.GetRequiredService<SessionNode>();

        app.MapGet("/session", (HttpContext http) =>
            Handle(http, Node(), id => new GetSession(id)));

        app.MapGet("/session/attributes/{name}", (HttpContext http, string name) =>
        {
            var node = Node();
            name = AttributeName(http, name);
            return Handle(http, node, id => new GetAttribute(id, name), name);
        });

        app.MapPut("/session/attributes/{name}", async (HttpContext http, string name) =>
        {
            var node = Node();
            name = AttributeName(http, name);
            var limits = node.Settings.Sessions;
            if (SessionCommands.ValidateName(name, limits) is { } invalid)
            {
                await SessionJson.WriteError(http.Response, StatusCodes.Status400BadRequest, invalid.Message);
                return;
            }

            var body = await BoundedBody.Read(http.Request, limits.MaxValueBytes, http.RequestAborted);
            if (body is null)
            {
                await SessionJson.WriteError(http.Response, StatusCodes.Status413PayloadTooLarge, $"The value is larger than {limits.MaxValueBytes} bytes.");
                return;
            }

            if (AttributeJson.TryCompact(body, out var error) is not { } value)
            {
                await SessionJson.WriteError(http.Response, StatusCodes.Status400BadRequest, error!);
                return;
            }

            await Handle(http, node, id => new SetAttribute(id, name, value), name);
        });

        app.MapDelete("/session/attributes/{name}", (HttpContext http, string name) =>
        {
            var node = Node();
            name = AttributeName(http, name);
            return Handle(http, node, id => new RemoveAttribute(id, name), name);
        });

        app.MapPost("/session/attributes/{name}/increment", async (HttpContext http, string name) =>
        {
            var node = Node();
            name = AttributeName(http, name);
            var by = 1L;
            if (http.Request.Query.TryGetValue("by", out var byText) &&
                (byText.Count != 1 || !long.TryParse(byText[0], System.Globalization.NumberStyles.AllowLeadingSign, System.Globalization.CultureInfo.InvariantCulture, out by)))
            {
                await SessionJson.WriteError(http.Response, StatusCodes.Status400BadRequest, $"'by' must be one 64-bit integer, got '{byText}'.");
                return;
            }

            // The operation id is minted here, where the request enters the cluster, so that every retry inside it
            // carries the same one and the session counts it once.
            await Handle(http, node, id => new IncrementAttribute(id, name, by, IncrementAttribute.NewOperationId()), name);
        });

        app.MapPost("/session/invalidate", async (HttpContext http) =>
        {
            var node = Node();
            if (SessionCookie.Read(http.Request, node.Settings.Sessions.CookieName).Id is { } id)
            {
                try
                {
                    if (await node.Client.Send(new InvalidateSession(id), http.RequestAborted) is ShardUnavailable unavailable)
                    {
                        await Unavailable(http, unavailable);
                        return;
                    }
                }
                catch (AskTimeoutException exception)
                {
                    await Unavailable(http, exception);
                    return;
                }
            }

            SessionCookie.Expire(http.Response, node.Settings.Sessions);
            http.Response.StatusCode = StatusCodes.Status204NoContent;
        });

        app.MapPost("/session/rotate", async (HttpContext http) =>
        {
            var node = Node();
            // A new id for the same session (call it after a login); no session, or an unknown one: a fresh session.
            var (cookieId, _) = SessionCookie.Read(http.Request, node.Settings.Sessions.CookieName);
            object reply;
            try
            {
                reply = cookieId is { } id ? await node.Client.Rotate(id, http.RequestAborted) : new SessionNotFound(default);
                if (reply is SessionNotFound)
                {
                    reply = await node.Client.Create(http.RequestAborted);
                }
            }
            catch (AskTimeoutException exception)
            {
                await Unavailable(http, exception);
                return;
            }

            switch (reply)
            {
                case SessionSnapshot rotated:
                    SessionCookie.Write(http.Response, node.Settings.Sessions, rotated.Id, rotated.Owner);
                    await SessionJson.WriteSession(http.Response, rotated, rotated.Owner, node.Route);
                    break;
                case ShardUnavailable unavailable:
                    await Unavailable(http, unavailable);
                    break;
                default:
                    await WriteRefusal(http.Response, reply);
                    break;
            }
        });

        return app;
    }

    /// <summary>Runs <paramref name="command"/> on the request's session (a new one if it has none) and writes the reply.</summary>
    private static async Task Handle(HttpContext http, SessionNode node, Func<SessionId, SessionCommand> command, string? name = null)
    {
        var limits = node.Settings.Sessions;
        if (name is not null && SessionCommands.ValidateName(name, limits) is { } invalid)
        {
            await SessionJson.WriteError(http.Response, StatusCodes.Status400BadRequest, invalid.Message);
            return;
        }

        var (cookieId, cookieRoute) = SessionCookie.Read(http.Request, limits.CookieName);
        object reply;
        SessionId id;
        try
        {
            (reply, id, _) = await node.Client.SendOrCreate(cookieId, command, http.RequestAborted);
        }
        catch (AskTimeoutException exception)
        {
            await Unavailable(http, exception);
            return;
        }

        if (reply is ShardUnavailable unavailable)
        {
            // Nothing was created or changed that the client could rely on: no cookie, and a clear "retry".
            await Unavailable(http, unavailable);
            return;
        }

        // The route names the session's home when the reply says it (a snapshot): after a move or a failover the cookie
        // follows the new home, so a sticky balancer in front sends the next request straight there (Tomcat's
        // JvmRouteBinderValve). Other replies keep the route the cookie had.
        var route = SessionCookie.RouteFor(reply is SessionSnapshot owned ? owned.Owner : null, cookieRoute, node.Route);
        SessionCookie.Refresh(http.Response, limits, id, route, cookieId, cookieRoute);

        switch (reply)
        {
            case SessionSnapshot snapshot:
                await SessionJson.WriteSession(http.Response, snapshot, route, node.Route);
                break;
            case AttributeValue { JsonValue: { } value } attribute:
                await SessionJson.WriteAttribute(http.Response, attribute.Name, value);
                break;
            case AttributeValue attribute:
                await SessionJson.WriteError(http.Response, StatusCodes.Status404NotFound, $"The session has no attribute '{attribute.Name}'.");
                break;
            default:
                await WriteRefusal(http.Response, reply);
                break;
        }
    }

    /// <summary>The attribute name as the client wrote it, fully unescaped.</summary>
    /// <remarks>Routing decodes every escape but %2F, so a name holding '/' or '%' is taken from the raw path instead.</remarks>
    private static string AttributeName(HttpContext http, string routeValue)
    {
        const string prefix = "/session/attributes/";
        if (!routeValue.Contains('%'))
        {
            return routeValue;
        }

        var raw = http.Features.Get<IHttpRequestFeature>()?.RawTarget;
        var target = string.IsNullOrEmpty(raw) ? http.Request.Path.Value ?? string.Empty : raw.Split('?', 2)[0];
        var start = target.IndexOf(prefix, StringComparison.Ordinal);
        if (start < 0)
        {
            return routeValue;
        }

        var segment = target[(start + prefix.Length)..].Split('/', 2)[0];
        return Uri.UnescapeDataString(segment);
    }

    /// <summary>Writes a reply that shows no session: a refusal with its status, anything else as a server error.</summary>
    private static Task WriteRefusal(HttpResponse response, object reply) => reply is SessionRejected rejected
        ? SessionJson.WriteError(response, StatusFor(rejected.Reason), rejected.Message)
        : SessionJson.WriteError(response, StatusCodes.Status500InternalServerError, $"Unexpected reply {reply.GetType().Name}.");

    private static int StatusFor(SessionRejection reason) => reason switch
    {
        SessionRejection.InvalidName => StatusCodes.Status400BadRequest,
        SessionRejection.NotAnInteger => StatusCodes.Status409Conflict,
        _ => StatusCodes.Status413PayloadTooLarge,
    };

    private static Task Unavailable(HttpContext http, AskTimeoutException exception)
    {
        http.Response.Headers.RetryAfter = "1";
        return SessionJson.WriteError(http.Response, StatusCodes.Status503ServiceUnavailable, "The session did not answer in time; retry. " + exception.Message);
    }

    internal static Task Unavailable(HttpContext http, ShardUnavailable unavailable)
    {
        http.Response.Headers.RetryAfter = "1";
        var applied = unavailable.MayHaveApplied ? " The change may or may not have been applied." : string.Empty;
        return SessionJson.WriteError(http.Response, StatusCodes.Status503ServiceUnavailable, $"The session cannot be served right now ({unavailable.Reason}); retry.{applied}");
    }
}
