using SessionCluster.Actors.Dashboard;
using SessionCluster.Actors.Diagnostics;
using SessionCluster.Actors.Hosting;
using SessionCluster.Actors.Management;
using SessionCluster.Web.Endpoints;
using SessionCluster.Web.Http;
using SessionCluster.Web.Pages;

// A SessionCluster web node: parses its switches, layers its configuration, serves the session contract.
// No --config: reference.conf alone, a single node that forms its own cluster (workers pass hocon/worker.conf).
if (NodeCommandLine.ParseForHost(
        args,
        defaultConfigFile: null,
        "none: reference.conf alone, a single-node cluster",
        "SessionCluster.Web: a session node serving the HTTP session contract.",
        out var exitCode) is not { } commandLine)
{
    return exitCode;
}

var builder = WebApplication.CreateBuilder(new WebApplicationOptions
{
    ApplicationName = commandLine.ApplicationName ?? typeof(Program).Assembly.GetName().Name,
    EnvironmentName = commandLine.EnvironmentName,
    ContentRootPath = commandLine.ContentRoot,
});
SessionClusterSettings settings;
try
{
    builder.Configuration.AddNodeConfiguration(commandLine);

    // Fail here, with one clear line, rather than later inside the host with a stack trace.
    settings = SessionClusterSettings.Load(builder.Configuration);
}
catch (Exception exception) when (exception is SettingsException or SessionCluster.Hocon.HoconException or FileNotFoundException)
{
    Console.Error.WriteLine($"error: {exception.Message}");
    return 2;
}

// Per-request framework logs would cost more than a session read; state changes are logged by our own categories.
builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
builder.WebHost.UseUrls(ManagementPort.AddTo(builder.Configuration["urls"] ?? "http://localhost:5000", settings.Management.Port));
builder.Services.AddSessionNode();
builder.Services.AddSessionClusterMetrics();
builder.Services.AddOptions<Microsoft.AspNetCore.Server.Kestrel.Core.KestrelServerOptions>()
    .Configure<SessionClusterSettings>((options, settings) => SessionCluster.Web.Http.KestrelLimits.Apply(options, settings.Http));

var app = builder.Build();
app.UseSessionRequestMetrics();
app.UseManagementRequestCount();
app.MapHealthEndpoints();
app.MapSessionEndpoints();
app.MapSessionExamplePage();
app.MapClusterEndpoints();
app.MapShardingEndpoints();
app.MapSessionClusterMetrics().RequireManagementRead();
app.MapSessionClusterDashboard().RequireManagementRead();

try
{
    await app.RunAsync();
    return 0;
}
catch (SettingsException exception)
{
    Console.Error.WriteLine($"error: {exception.Message}");
    return 2;
}

/// <summary>The web node's entry point; public so that tests can host it with WebApplicationFactory.</summary>
public partial class Program;
