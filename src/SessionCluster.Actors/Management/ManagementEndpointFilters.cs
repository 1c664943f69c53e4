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

    private static async ValueTask<object?> Check(EndpointFilterInvocationContext context, EndpointFilterDelegate next, bool isAction)
    {
        var http = context.HttpContext;
        var authorization = http.RequestServices.GetRequiredService<NodeManagement>().Authorization;
        if (authorization.Settings.Port != 0 && http.Connection.LocalPort != authorization.Settings.Port)
        {
            // The management API has its own port: on any other it does not exist.
            await ManagementJson.WriteError(
                http.Response,
                StatusCodes.Status404NotFound,
                $"The management API answers on port {authorization.Settings.Port.ToString(CultureInfo.InvariantCulture)} (session-cluster.management.port), not on this one.");
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
