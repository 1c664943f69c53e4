using SessionCluster.Actors.Hosting;
using SessionCluster.Actors.Management;
using SessionCluster.Hosting;
using SessionCluster.Web.Pages;

// A SessionCluster web node: parses its switches, layers its configuration, serves the session contract. It is built
// from the extensions any ASP.NET Core app uses (src/SessionCluster.Hosting), plus what only a node process has: its
// command line, its URLs and management port, Kestrel's limits and the SessionExample page.
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
    // The node's own configuration stack (reference.conf, --config, environment, switches) becomes the app's.
    builder.AddSessionCluster(commandLine, options =>
    {
        // The contract keeps its own cookie (SESSIONID=<id>.<route>); ASP.NET Core's session middleware is not used.
        options.UseAsSessionStore = false;
        options.ShareDataProtectionKeys = false;
        options.ApplyKestrelLimits = true;
    });

    // Fail here, with one clear line, rather than later inside the host with a stack trace.
    settings = SessionClusterSettings.Load(builder.Configuration);
}
catch (Exception exception) when (exception is SettingsException or SessionCluster.Hocon.HoconException or FileNotFoundException)
{
    Console.Error.WriteLine($"error: {exception.Message}");
    return NodeExitCodes.CannotStart;
}

// Per-request framework logs would cost more than a session read; state changes are logged by our own categories.
builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
// While this category is enabled at any level, hosting starts an Activity and a log scope for every request, for
// request start/finish lines that the filter above drops anyway: 0.9 KB of garbage per request (3.9 → 3.0 KB for a
// session read). Unhandled exceptions are still logged, by Kestrel's category.
builder.Logging.AddFilter("Microsoft.AspNetCore.Hosting.Diagnostics", LogLevel.None);
builder.WebHost.UseUrls(ManagementPort.AddTo(builder.Configuration["urls"] ?? "http://localhost:5000", settings.Management.Port));

var app = builder.Build();
app.MapSessionClusterEndpoints();
app.MapSessionExamplePage();

try
{
    // Resolved before the run (which disposes the services at its end): the exit code depends on how the node left.
    var cluster = app.Services.GetRequiredService<SessionNode>().Cluster;
    await app.RunAsync();
    return NodeExitCodes.AfterRun(cluster);
}
catch (SettingsException exception)
{
    Console.Error.WriteLine($"error: {exception.Message}");
    return NodeExitCodes.CannotStart;
}
catch (Exception exception) when (PortInUse.Describe(exception) is { } line)
{
    Console.Error.WriteLine($"error: {line}");
    return NodeExitCodes.CannotStart;
}

/// <summary>The web node's entry point; public so that tests can host it with WebApplicationFactory.</summary>
public partial class Program;
