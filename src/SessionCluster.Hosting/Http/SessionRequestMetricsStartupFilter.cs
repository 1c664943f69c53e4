using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;

namespace SessionCluster.Hosting.Http;

/// <summary>Puts <see cref="SessionRequestMetrics"/> first in the app's pipeline, so that <c>AddSessionCluster</c> alone
/// makes every request count and the session contract measured, with no <c>app.Use…</c> line for the app to forget.</summary>
/// <remarks>First means ahead of the app's own middleware (and of routing): the measured time of a session request then
/// includes what the app runs around it, which is what its client waits for.</remarks>
internal sealed class SessionRequestMetricsStartupFilter : IStartupFilter
{
    public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
    {
        app.UseSessionClusterRequestMetrics();
        next(app);
    };
}
