using SessionCluster.Actors.Hosting;

namespace SessionCluster.Web.Tests;

/// <summary><see cref="NodeRoute.Resolve"/>: the configured route, or one derived from the first HTTP endpoint.</summary>
public sealed class NodeRouteTests
{
    [Theory]
    [InlineData("node-a", null)]
    [InlineData("node-a", "http://localhost:9999")]
    public void Resolve_ConfiguredRoute_WinsOverUrls(string configured, string? urls)
    {
        Assert.Equal("node-a", NodeRoute.Resolve(configured, urls));
    }

    [Theory]
    [InlineData(null, "localhost-5000")]
    [InlineData("", "localhost-5000")]
    [InlineData(" ; ", "localhost-5000")]
    [InlineData("http://localhost:5000", "localhost-5000")]
    [InlineData("http://127.0.0.1:8080", "127-0-0-1-8080")]
    [InlineData("https://Example.COM:443/", "example-com-443")]
    [InlineData("http://node7:8081;http://node7:8082", "node7-8081")]
    [InlineData("  http://first:1 ; http://second:2", "first-1")]
    [InlineData("http://*:5000", "5000")]
    [InlineData("http://+:80", "80")]
    [InlineData("http://[::1]:5000", "1--5000")]
    [InlineData("localhost:7000", "localhost-7000")]
    [InlineData("http://", "node")]
    [InlineData("http://*", "node")]
    public void Resolve_EmptyRoute_DerivesFromFirstUrl(string? urls, string expected)
    {
        Assert.Equal(expected, NodeRoute.Resolve("", urls));
    }

    [Fact]
    public void Resolve_DerivedFromALongHostName_IsCutToTheLongestRoute()
    {
        var route = NodeRoute.Resolve("", $"http://{new string('h', 70)}.example:5000");

        Assert.Equal(new string('h', 64), route);
        Assert.Equal("a-b", NodeRoute.Resolve("", $"http://a.b{new string('-', 70)}x:1"));
    }

    [Fact]
    public void Resolve_WhitespaceRoute_IsTreatedAsNotSet()
    {
        Assert.Equal("host-1", NodeRoute.Resolve("   ", "http://host:1"));
    }

    [Theory]
    [InlineData("a")]
    [InlineData("node_7-B")]
    public void Resolve_ValidConfiguredRoute_IsKeptAsGiven(string route)
    {
        Assert.Equal(route, NodeRoute.Resolve(route, null));
    }

    [Fact]
    public void Resolve_ConfiguredRouteOf64Characters_IsAccepted()
    {
        var route = new string('r', 64);

        Assert.Equal(route, NodeRoute.Resolve(route, null));
    }

    [Theory]
    [InlineData("a.b")]
    [InlineData("node a")]
    [InlineData("node;a")]
    [InlineData("nöde")]
    [InlineData("rrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrr")]
    public void Resolve_InvalidConfiguredRoute_FailsNamingTheSetting(string route)
    {
        var failure = Assert.Throws<SettingsException>(() => NodeRoute.Resolve(route, null));

        Assert.Equal($"session-cluster.node.route: '{route}' is not a valid route; use 1 to 64 letters, digits, '-' or '_'.", failure.Message);
    }
}
