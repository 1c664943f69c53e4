using System.Diagnostics;
using System.Runtime.CompilerServices;
using SessionCluster.Actors.Diagnostics;

namespace SessionCluster.Web.Http;

/// <summary>Counts and times every request to the session contract (<c>/session…</c>) by route template, method and
/// status class, into <see cref="SessionClusterMetrics.HttpRequests"/> and <see cref="SessionClusterMetrics.HttpRequestDuration"/>.</summary>
/// <remarks>The tags of each endpoint are built once, one array per status class, and looked up by the endpoint object
/// (weakly, so a host's endpoints go with it), so a request allocates nothing here. Other endpoints (health, cluster reads, metrics, the dashboard) are not counted:
/// the dashboard's own polling would otherwise show up as traffic.</remarks>
public static class SessionRequestMetrics
{
    private const string CountedPrefix = "/session";

    private static readonly ConditionalWeakTable<Endpoint, EndpointTags> Tags = new();

    /// <summary>Adds the measuring middleware; it runs after routing, so it knows the endpoint and its route template.</summary>
    public static IApplicationBuilder UseSessionRequestMetrics(this IApplicationBuilder app) =>
        app.Use(static async (HttpContext http, RequestDelegate next) =>
        {
            if (http.GetEndpoint() is not { } endpoint || Tags.GetValue(endpoint, TagsOf) is not { IsCounted: true } tags)
            {
                await next(http);
                return;
            }

            var started = Stopwatch.GetTimestamp();
            var failed = true;
            try
            {
                await next(http);
                failed = false;
            }
            finally
            {
                // An exception escaping the endpoint becomes a 500 further out.
                var status = tags.For(failed ? StatusCodes.Status500InternalServerError : http.Response.StatusCode);
                SessionClusterMetrics.HttpRequests.Add(1, status);
                SessionClusterMetrics.HttpRequestDuration.Record(Stopwatch.GetElapsedTime(started).TotalSeconds, status);
            }
        });

    private static EndpointTags TagsOf(Endpoint endpoint)
    {
        if (endpoint is not RouteEndpoint { RoutePattern.RawText: { } template } ||
            !template.StartsWith(CountedPrefix, StringComparison.Ordinal))
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
