using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using SessionCluster.Actors.Hosting;
using SessionCluster.Lighthouse;

// The seed node: loads and validates its configuration, then runs until SIGTERM or Ctrl+C.
NodeCommandLine commandLine;
try
{
    commandLine = NodeCommandLine.Parse(args, NodeConfiguration.DefaultConfigFile("lighthouse.conf"));
}
catch (CommandLineException exception)
{
    Console.Error.WriteLine($"error: {exception.Message}");
    Console.Error.WriteLine(string.Format(System.Globalization.CultureInfo.InvariantCulture, NodeCommandLine.Usage, "hocon/lighthouse.conf"));
    return 2;
}

if (commandLine.HelpRequested)
{
    Console.WriteLine("SessionCluster.Lighthouse: the seed node of a SessionCluster.");
    Console.WriteLine(string.Format(System.Globalization.CultureInfo.InvariantCulture, NodeCommandLine.Usage, "hocon/lighthouse.conf"));
    return 0;
}

var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = false });
SessionClusterSettings settings;
try
{
    builder.Configuration.AddNodeConfiguration(commandLine);
    settings = SessionClusterSettings.Load(builder.Configuration);
}
catch (Exception exception) when (exception is SettingsException or SessionCluster.Hocon.HoconException or FileNotFoundException)
{
    Console.Error.WriteLine($"error: {exception.Message}");
    return 2;
}

builder.Services.AddSingleton(settings);
builder.Services.AddHostedService<LighthouseNode>();
await builder.Build().RunAsync();
return 0;
