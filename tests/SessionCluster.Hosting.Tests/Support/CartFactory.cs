using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using SessionCluster.Actors.Hosting;
using SessionCluster.TestKit;

namespace SessionCluster.Hosting.Tests.Support;

/// <summary>The ShoppingCart sample in this process, exactly as its Program composes it, plus the
/// <see cref="SessionProbeEndpoints"/> under <c>/probe</c> that drive each <c>ISession</c> member directly.</summary>
/// <remarks>The node runs on <see cref="Clock"/>, a manual clock, so that idle timeouts pass when a test says so.</remarks>
public sealed class CartFactory : WebApplicationFactory<Program>
{
    /// <summary>The clock of the node's sessions.</summary>
    public ManualTimeProvider Clock { get; } = new(DateTimeOffset.UtcNow);

    /// <summary>Settings by configuration key, layered over the sample's configuration.</summary>
    public IDictionary<string, string?> Settings { get; } = new Dictionary<string, string?>();

    public SessionNode Node => Services.GetRequiredService<SessionNode>();

    /// <summary>A client that keeps cookies like a browser.</summary>
    public HttpClient CreateBrowser() => CreateClient(new WebApplicationFactoryClientOptions { HandleCookies = true, AllowAutoRedirect = false });

    /// <summary>A client that sends only the cookies a test puts on each request.</summary>
    public HttpClient CreateRawClient() => CreateClient(new WebApplicationFactoryClientOptions { HandleCookies = false, AllowAutoRedirect = false });

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.ConfigureAppConfiguration(configuration => configuration.AddInMemoryCollection(Settings));
        builder.ConfigureTestServices(services =>
        {
            services.RemoveAll<TimeProvider>();
            services.AddSingleton<TimeProvider>(Clock);
            services.AddTransient<Microsoft.AspNetCore.Hosting.IStartupFilter, SessionProbeEndpoints>();
        });
    }
}
