using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using SessionCluster.Actors.Hosting;
using SessionCluster.Actors.Runtime;
using SessionCluster.Actors.Sessions;
using SessionCluster.TestKit;

namespace SessionCluster.Web.Tests.Support;

/// <summary>
/// One web node in this process, composed by Program itself, on a manual clock, with settings layered over Program's
/// own configuration (<see cref="Settings"/>).
/// </summary>
/// <remarks>
/// WebApplicationFactory passes its host settings to Program as <c>--key=value</c> arguments: <c>--environment=</c>,
/// <c>--contentRoot=</c>, <c>--applicationName=</c>, and for every <c>UseSetting("a:b:c", v)</c> also <c>--a=</c> and
/// <c>--a:b=</c>. Program's <see cref="NodeCommandLine"/> rejects them and exits before building the host (see
/// <c>ProgramHostingTests</c>), so <see cref="CreateHost"/> drops them all and tests pass settings with
/// <c>ConfigureAppConfiguration</c>, which the host applies after Program's reference.conf, environment and
/// command-line layers.
/// </remarks>
public sealed class WebNodeFactory : WebApplicationFactory<Program>
{
    /// <summary>The route a node derives when neither a route nor URLs are configured (Program's default URL).</summary>
    public const string DefaultRoute = "localhost-5000";

    private static readonly IReadOnlyDictionary<string, string> None = new Dictionary<string, string>();

    private readonly TimeProvider? _time;

    /// <summary>The clock the node's actor system runs on; it moves only when a test advances it.</summary>
    public ManualTimeProvider Clock { get; } = new();

    /// <summary>The node's <see cref="TimeProvider"/>: <see cref="Clock"/> unless a test gives another.</summary>
    public TimeProvider Time
    {
        get => _time ?? Clock;
        init => _time = value;
    }

    /// <summary>Settings as configuration keys (<c>session-cluster:sessions:max-attributes</c>), the last layer of configuration.</summary>
    public IReadOnlyDictionary<string, string> Settings { get; init; } = None;

    /// <summary>The node as the host built it.</summary>
    public SessionNode Node => Services.GetRequiredService<SessionNode>();

    /// <summary>A node with the given settings, e.g. <c>("session-cluster:sessions:max-attributes", "3")</c>.</summary>
    public static WebNodeFactory With(params (string Key, string Value)[] settings) =>
        new() { Settings = settings.ToDictionary(pair => pair.Key, pair => pair.Value) };

    /// <summary>A client that keeps cookies like a browser; use one per simulated browser.</summary>
    public HttpClient CreateBrowser() => CreateClient(new WebApplicationFactoryClientOptions { HandleCookies = true, AllowAutoRedirect = false });

    /// <summary>A client that sends only the cookies a test puts on each request.</summary>
    public HttpClient CreateRawClient() => CreateClient(new WebApplicationFactoryClientOptions { HandleCookies = false, AllowAutoRedirect = false });

    /// <summary>How many sessions the node hosts; counting does not touch any session.</summary>
    public Task<int> LiveSessionCount() => Task.FromResult(Node.LocalShards.SessionCount());

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.ConfigureAppConfiguration(configuration =>
            configuration.AddInMemoryCollection(Settings.Select(pair => KeyValuePair.Create(pair.Key, (string?)pair.Value))));

        builder.ConfigureTestServices(services => services.AddSingleton(Time));
    }

    protected override IHost CreateHost(IHostBuilder builder)
    {
        // Everything here would reach Program as an argument it rejects; Program names its application itself.
        builder.ConfigureHostConfiguration(configuration => configuration.Sources.Clear());
        return base.CreateHost(builder);
    }
}
