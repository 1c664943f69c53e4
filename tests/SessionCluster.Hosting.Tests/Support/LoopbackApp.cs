using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;

namespace SessionCluster.Hosting.Tests.Support;

/// <summary>A started <see cref="WebApplication"/> on Kestrel at 127.0.0.1; disposing stops it (the node leaves its
/// cluster and closes its port) before releasing it.</summary>
public sealed class LoopbackApp(WebApplication app) : IAsyncDisposable
{
    public WebApplication App { get; } = app;

    /// <summary>The one address Kestrel bound, e.g. <c>http://127.0.0.1:43121</c>.</summary>
    public Uri Address => new(App.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.Single());

    public async ValueTask DisposeAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await App.StopAsync(timeout.Token);
        await App.DisposeAsync();
    }
}
