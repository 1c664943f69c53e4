using System.Net;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace SessionCluster.Web.Tests;

/// <summary>
/// Program hosted by an unmodified <see cref="WebApplicationFactory{TEntryPoint}"/>, the way ASP.NET Core documents
/// integration tests. The factory passes its host settings to Program as arguments: <c>--environment=Development</c>,
/// <c>--contentRoot=...</c>, <c>--applicationName=...</c>, and for each <c>UseSetting("a:b:c", v)</c> also
/// <c>--a=</c> and <c>--a:b=</c>. The other tests host the node through <c>Support.WebNodeFactory</c>, which drops
/// those arguments.
/// </summary>
public sealed class ProgramHostingTests
{
    [Fact]
    public async Task Program_HostedByPlainWebApplicationFactory_Starts()
    {
        await using var factory = new WebApplicationFactory<Program>();

        using var client = factory.CreateClient();
        using var response = await client.GetAsync("/health/ready");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task Program_PlainFactoryWithUseSetting_AppliesTheSetting()
    {
        await using var factory = new WebApplicationFactory<Program>()
            .WithWebHostBuilder(builder => builder.UseSetting("session-cluster:node:route", "node-a"));

        using var client = factory.CreateClient();
        var body = await client.GetStringAsync("/health/ready");

        Assert.Equal("{\"status\":\"ready\",\"route\":\"node-a\"}", body);
    }

    [Fact]
    public async Task Program_HostingDiagnosticsLoggingIsOff_SoNoActivityPerRequest()
    {
        await using var factory = new WebApplicationFactory<Program>();
        using var client = factory.CreateClient();
        using var response = await client.GetAsync("/health/ready");

        // Hosting starts an Activity and a log scope per request whenever this category is enabled at Critical.
        var loggers = factory.Services.GetRequiredService<ILoggerFactory>();
        Assert.False(loggers.CreateLogger("Microsoft.AspNetCore.Hosting.Diagnostics").IsEnabled(LogLevel.Critical));
        Assert.True(loggers.CreateLogger("Microsoft.AspNetCore.Server.Kestrel").IsEnabled(LogLevel.Error), "unhandled exceptions are still logged");
    }
}
