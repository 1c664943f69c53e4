using SessionCluster.Actors.Management;

namespace SessionCluster.Actors.Tests.Management;

/// <summary>The management API's own URL: the host of the node's first HTTP URL, on the management port.</summary>
public sealed class ManagementPortTests
{
    [Theory]
    [InlineData("http://localhost:5000", 0, "http://localhost:5000")]
    [InlineData("http://localhost:5000", 9000, "http://localhost:5000;http://localhost:9000")]
    [InlineData("http://127.0.0.1:5001;http://10.0.0.1:5001", 9001, "http://127.0.0.1:5001;http://10.0.0.1:5001;http://127.0.0.1:9001")]
    [InlineData("https://+:443/app", 9443, "https://+:443/app;https://+:9443")]
    [InlineData("http://[::1]:5000", 9000, "http://[::1]:5000;http://[::1]:9000")]
    [InlineData("http://[::1]", 9000, "http://[::1];http://[::1]:9000")]
    [InlineData("http://node-7", 9000, "http://node-7;http://node-7:9000")]
    public void AddTo_AddsTheManagementUrlOnTheFirstUrlsHost(string urls, int port, string expected)
    {
        Assert.Equal(expected, ManagementPort.AddTo(urls, port));
    }
}
