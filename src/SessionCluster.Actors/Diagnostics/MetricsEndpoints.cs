using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace SessionCluster.Actors.Diagnostics;

/// <summary><c>GET /metrics</c>: the <see cref="SessionClusterMetrics"/> instruments in the Prometheus text format, on
/// web nodes and the Lighthouse alike.</summary>
public static class MetricsEndpoints
{
    /// <summary>Registers the process's <see cref="PrometheusCollector"/> (one per host).</summary>
    public static IServiceCollection AddSessionClusterMetrics(this IServiceCollection services)
    {
        services.TryAddSingleton(_ => new PrometheusCollector());
        return services;
    }

    /// <summary>Maps <c>GET /metrics</c>, and starts the collector now: it counts only what happens after it starts.
    /// Returns the endpoint's builder, so a host can put it behind its own access rule.</summary>
    public static IEndpointConventionBuilder MapSessionClusterMetrics(this IEndpointRouteBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var collector = app.ServiceProvider.GetService<PrometheusCollector>()
            ?? throw new InvalidOperationException("Call services.AddSessionClusterMetrics() before mapping /metrics.");
        return app.MapGet("/metrics", async (HttpContext http) =>
        {
            var text = collector.Collect();
            http.Response.ContentType = PrometheusText.ContentType;
            http.Response.Headers.CacheControl = "no-store";
            await http.Response.WriteAsync(text, http.RequestAborted);
        });
    }
}
