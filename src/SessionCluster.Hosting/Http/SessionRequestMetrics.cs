using System.Diagnostics;
using System.Runtime.CompilerServices;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using SessionCluster.Actors.Diagnostics;
using SessionCluster.Actors.Management;

namespace SessionCluster.Hosting.Http;

/// <summary>The one request-counting middleware of a node: counts every HTTP request for <c>requestsTotal</c> of
/// <c>GET /cluster/node</c> (<see cref="NodeManagement.CountRequest"/>), and counts and times every request to the
/// session contract (endpoints marked with <see cref="SessionContractMetadata"/>) by route template, method and status
/// class, into <see cref="SessionClusterMetrics.HttpRequests"/> and <see cref="SessionClusterMetrics.HttpRequestDuration"/>.</summary>
/// <remarks>The endpoint is read after the rest of the pipeline ran, so the middleware may sit anywhere, also ahead of
/// routing: <c>AddSessionCluster</c> puts it first in the app's pipeline through <see cref="SessionRequestMetricsStartupFilter"/>.
/// The tags of each endpoint are built once, one array per status class, and looked up by the endpoint object (weakly,
/// so a host's endpoints go with it), so a request allocates nothing here. Other endpoints (health, cluster reads,
/// metrics, the dashboard) are not measured: the dashboard's own polling would otherwise show up as traffic.</remarks>
public static class SessionRequestMetrics
{
    private static readonly ConditionalWeakTable<Endpoint, EndpointTags> Tags = new();

    /// <summary>Adds the counting and measuring middleware; <c>AddSessionCluster</c> does it already unless
    /// <c>SessionClusterOptions.MeasureRequests</c> is off.</summary>
    public static IApplicationBuilder UseSessionClusterRequestMetrics(this IApplicationBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        // Resolved at the first request, not here: resolving builds the node, and a bad setting must fail the host's
        // start (where Program reports it in one line), not the pipeline's construction.
        NodeManagement? management = null;
        return app.Use(async (HttpContext http, RequestDelegate next) =>
        {
            (management ??= http.RequestServices.GetRequiredService<NodeManagement>()).CountRequest();
            var started = Stopwatch.GetTimestamp();
            var failed = true;
            try
            {
                await next(http);
                failed = false;
            }
            finally
            {
                if (http.GetEndpoint() is { } endpoint && Tags.GetValue(endpoint, TagsOf) is { IsCounted: true } tags)
                {
                    // An exception escaping the endpoint becomes a 500 further out.
                    var status = tags.For(failed ? StatusCodes.Status500InternalServerError : http.Response.StatusCode);
                    SessionClusterMetrics.HttpRequests.Add(1, status);
                    SessionClusterMetrics.HttpRequestDuration.Record(Stopwatch.GetElapsedTime(started).TotalSeconds, status);
                }
            }
        });
    }

    private static EndpointTags TagsOf(Endpoint endpoint)
    {
        if (endpoint.Metadata.GetMetadata<SessionContractMetadata>() is null ||
            endpoint is not RouteEndpoint { RoutePattern.RawText: { } template })
        {
            return EndpointTags.NotCounted;
        }

        var method = endpoint.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods.FirstOrDefault() ?? "ANY";
        return new EndpointTags(template, method);
    }

    /// <summary>One endpoint's tag arrays, one per status class (1xx to 5xx, then anything else); or none for an
    /// endpoint that is not counted.</summary>
    private sealed class EndpointTags
    {
        public static readonly EndpointTags NotCounted = new();

        private static readonly string[] Classes = ["1xx", "2xx", "3xx", "4xx", "5xx", "other"];
        private readonly KeyValuePair<string, object?>[][] _byClass = [];

        public EndpointTags(string route, string method) =>
            _byClass = [.. Classes.Select(status => new KeyValuePair<string, object?>[] { new("route", route), new("method", method), new("status", status) })];

        private EndpointTags()
        {
        }

        public bool IsCounted => _byClass.Length > 0;

        public KeyValuePair<string, object?>[] For(int statusCode) =>
            _byClass[statusCode is >= 100 and < 600 ? statusCode / 100 - 1 : Classes.Length - 1];
    }
}
