using Microsoft.Extensions.Configuration;
using SessionCluster.Hocon;

namespace SessionCluster.Hocon.Tests;

public sealed class HoconFallbackTests
{
    [Fact]
    public void WithFallback_MergesObjectsAndReplacesArrays()
    {
        var reference = HoconParser.Parse("a { x = 1, y = 2, list = [p, q] }, b = 3", "reference.conf");
        var node = HoconParser.Parse("a { y = 20, list = [r] }, c = 4", "node.conf");

        var merged = node.WithFallback(reference);

        Assert.Equal("1", ((HoconScalar)merged.Find("a.x")!).Text);
        Assert.Equal("20", ((HoconScalar)merged.Find("a.y")!).Text);
        Assert.Equal(["r"], ((HoconArray)merged.Find("a.list")!).Items.Select(i => ((HoconScalar)i).Text));
        Assert.Equal("3", ((HoconScalar)merged.Find("b")!).Text);
        Assert.Equal("4", ((HoconScalar)merged.Find("c")!).Text);
    }

    [Fact]
    public void Source_WithFallback_FlattensMergedDocumentWithOrigins()
    {
        var source = new HoconConfigurationSource
        {
            Text = "roles = [front]",
            OriginName = "node.conf",
            Fallback = new HoconConfigurationSource { Text = "roles = [worker, lighthouse]\nport = 1", OriginName = "reference.conf" },
        };
        var root = new ConfigurationBuilder().Add(source).Build();

        Assert.Equal("front", root["roles:0"]);
        Assert.Null(root["roles:1"]);
        Assert.Equal("1", root["port"]);
        Assert.Equal("reference.conf", HoconOrigins.Find(root, "port")!.File);
        Assert.Equal("node.conf", HoconOrigins.Find(root, "roles:0")!.File);
    }
}
