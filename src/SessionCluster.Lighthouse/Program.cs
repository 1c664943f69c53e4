using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using SessionCluster.Actors.Dashboard;
using SessionCluster.Actors.Diagnostics;
using SessionCluster.Actors.Hosting;
using SessionCluster.Actors.Management;
using SessionCluster.Lighthouse;

// The seed node: membership only. Serves /health/live, the management API, /metrics and /dashboard over HTTP only when --urls is given.
if (NodeCommandLine.ParseForHost(
        args,
        NodeConfiguration.DefaultConfigFile("lighthouse.conf"),
        "hocon/lighthouse.conf",
        "SessionCluster.Lighthouse: the seed node of a SessionCluster.",
        out var exitCode) is not { } commandLine)
{
    return exitCode;
}

var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = commandLine.EnvironmentName });
SessionClusterSettings settings;
try
{
    builder.Configuration.AddNodeConfiguration(commandLine);
    settings = SessionClusterSettings.Load(builder.Configuration);
}
catch (Exception exception) when (exception is SettingsException or SessionCluster.Hocon.HoconException or FileNotFoundException)
{
    Console.Error.WriteLine($"error: {exception.Message}");
    return NodeExitCodes.CannotStart;
}

var urls = builder.Configuration["urls"];
builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
builder.Services.AddSingleton(settings);
builder.Services.AddSingleton<LighthouseNode>();
builder.Services.AddHostedService(provider => provider.GetRequiredService<LighthouseNode>());
builder.Services.AddSingleton(provider => provider.GetRequiredService<LighthouseNode>().Management);
builder.Services.AddSessionClusterMetrics();
if (urls is null)
{
    // No HTTP wanted: Kestrel must not claim its default port, which a web node on the same machine uses.
    builder.WebHost.UseSetting(WebHostDefaults.ServerUrlsKey, "http://127.0.0.1:0");
}
else
{
    builder.WebHost.UseUrls(ManagementPort.AddTo(urls, settings.Management.Port));
}

var app = builder.Build();
if (urls is not null)
{
    app.UseManagementRequestCount();
    app.MapGet("/health/live", static () => Results.Text("{\"status\":\"live\"}", "application/json"));
    app.MapManagementEndpoints();
    app.MapSessionClusterMetrics().RequireManagementRead();
    app.MapSessionClusterDashboard();
}

try
{
    // Resolved before the run (which disposes the services at its end): the exit code depends on how the node left.
    var cluster = app.Services.GetRequiredService<LighthouseNode>().Cluster;
    await app.RunAsync();
    return NodeExitCodes.AfterRun(cluster);
}
catch (Exception exception) when (PortInUse.Describe(exception) is { } line)
{
    Console.Error.WriteLine($"error: {line}");
    return NodeExitCodes.CannotStart;
}
