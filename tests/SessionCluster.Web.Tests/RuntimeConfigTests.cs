using System.Text.Json;

namespace SessionCluster.Web.Tests;

/// <summary>The node's shipped runtime settings: server GC with DATAS off (see the project file for the measurement).</summary>
public sealed class RuntimeConfigTests
{
    [Fact]
    public void WebNode_RunsServerGcWithoutDynamicAdaptation()
    {
        // The SDK copies a referenced executable's runtimeconfig.json beside the test assembly.
        var path = Path.Combine(AppContext.BaseDirectory, "SessionCluster.Web.runtimeconfig.json");
        using var document = JsonDocument.Parse(File.ReadAllText(path));
        var properties = document.RootElement.GetProperty("runtimeOptions").GetProperty("configProperties");

        Assert.True(properties.GetProperty("System.GC.Server").GetBoolean());
        Assert.Equal(0, properties.GetProperty("System.GC.DynamicAdaptationMode").GetInt32());
    }
}
