using System.Globalization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace SessionCluster.Actors.Management;

/// <summary>Puts the management token check (<see cref="ManagementAuthorization"/>) in front of an endpoint: every
/// action, and every read when <c>session-cluster.management.protect-reads</c> is on; and, when the management API
/// has its own port (<c>session-cluster.management.port</c>), answers 404 on every other.</summary>
public static class ManagementEndpointFilters
{
    /// <summary>The endpoint is an action: it always needs the token.</summary>
    public static TBuilder RequireManagementToken<TBuilder>(this TBuilder builder)
        where TBuilder : IEndpointConventionBuilder =>
        builder.AddEndpointFilter(static (context, next) => Check(context, next, isAction: true));

    /// <summary>The endpoint is a read: it needs the token only with protect-reads on.</summary>
    public static TBuilder RequireManagementRead<TBuilder>(this TBuilder builder)
        where TBuilder : IEndpointConventionBuilder =>
        builder.AddEndpointFilter(static (context, next) => Check(context, next, isAction: false));

    /// <summary>The endpoint holds nothing secret (the dashboard's page and script) but belongs to the management API:
    /// no token, yet only on the management port when it has its own.</summary>
    public static TBuilder RequireManagementPort<TBuilder>(this TBuilder builder)
        where TBuilder : IEndpointConventionBuilder =>
        builder.AddEndpointFilter(static async (context, next) =>
            await RefuseOffManagementPort(context.HttpContext) ? Results.Empty : await next(context));

    /// <summary>True (and a 404 written) when the management API has its own port and this request came in on another.</summary>
    private static async ValueTask<bool> RefuseOffManagementPort(HttpContext http)
    {
        var settings = http.RequestServices.GetRequiredService<NodeManagement>().Authorization.Settings;
        if (settings.Port == 0 || http.Connection.LocalPort == settings.Port)
        {
            return false;
        }

        await ManagementJson.WriteError(
            http.Response,
            StatusCodes.Status404NotFound,
            $"The management API answers on port {settings.Port.ToString(CultureInfo.InvariantCulture)} (session-cluster.management.port), not on this one.");
        return true;
    }

    private static async ValueTask<object?> Check(EndpointFilterInvocationContext context, EndpointFilterDelegate next, bool isAction)
    {
        var http = context.HttpContext;
        var authorization = http.RequestServices.GetRequiredService<NodeManagement>().Authorization;
        if (await RefuseOffManagementPort(http))
        {
            return Results.Empty;
        }

        var client = http.Connection.RemoteIpAddress?.ToString() ?? "unknown";
        var access = authorization.Check(http.Request.Headers.Authorization.FirstOrDefault(), client, http.Request.Path, isAction, out var retryAfter);
        switch (access)
        {
            case ManagementAccess.Allowed:
                return await next(context);
            case ManagementAccess.Disabled:
                await ManagementJson.WriteError(
                    http.Response,
                    StatusCodes.Status403Forbidden,
                    $"Management actions are disabled on this node: set {ManagementSettings.TokenSetting} (e.g. through the SESSION_CLUSTER_MANAGEMENT_TOKEN environment variable) to enable them.");
                break;
            case ManagementAccess.Throttled:
                http.Response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
                await ManagementJson.WriteError(
                    http.Response,
                    StatusCodes.Status429TooManyRequests,
                    "Too many wrong management tokens from this client in the last minute; wait for Retry-After seconds.");
                break;
            default:
                http.Response.Headers.WWWAuthenticate = "Bearer";
                await ManagementJson.WriteError(
                    http.Response,
                    StatusCodes.Status401Unauthorized,
                    access == ManagementAccess.Missing
                        ? "This needs the management token: send 'Authorization: Bearer <token>' (the value of " + ManagementSettings.TokenSetting + ")."
                        : "Wrong management token: send 'Authorization: Bearer <token>' with the value of " + ManagementSettings.TokenSetting + ".");
                break;
        }

        return Results.Empty;
    }
}
