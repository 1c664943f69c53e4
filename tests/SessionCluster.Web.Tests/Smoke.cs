using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using SessionCluster.TestKit;
namespace SessionCluster.Web.Tests;
public sealed class F : WebApplicationFactory<Program>
{
    public ManualTimeProvider Clock { get; } = new();
    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseSetting("session-cluster:node:route", "n1");
        builder.ConfigureTestServices(s => s.AddSingleton<TimeProvider>(Clock));
    }
    protected override IHost CreateHost(IHostBuilder builder)
    {
        builder.ConfigureHostConfiguration(c => c.Sources.Clear());
        return base.CreateHost(builder);
    }
}
public sealed class SmokeTests
{
    [Fact]
    public async Task Smoke_Get_Works()
    {
        await using var factory = new F();
        using var client = factory.CreateClient();
        var response = await client.GetAsync("/session");
        var body = await response.Content.ReadAsStringAsync();
        Assert.Fail(response.StatusCode + " " + body + " " + string.Join("|", response.Headers.Select(h => h.Key + "=" + string.Join(",", h.Value))) + " timers=" + factory.Clock.ActiveTimerCount + " route=" + factory.Services.GetRequiredService<Microsoft.Extensions.Configuration.IConfiguration>()["session-cluster:node:route"] + " providers=" + string.Join(",", ((Microsoft.Extensions.Configuration.IConfigurationRoot)factory.Services.GetRequiredService<Microsoft.Extensions.Configuration.IConfiguration>()).Providers.Select(p => p.ToString())));
    }
}
