using System.Text.Json;

namespace SessionCluster.Web.Tests;

/// <summary>The node's shipped runtime settings: server GC with DATAS on (see the project file for the measurement).</summary>
public sealed class RuntimeConfigTests
{
    [Fact]
    public void WebNode_RunsServerGcWithDynamicAdaptation()
    {
        // The SDK copies a referenced executable's runtimeconfig.json beside the test assembly.
        var path = Path.Combine(AppContext.BaseDirectory, "SessionCluster.Web.runtimeconfig.json");
        using var document = JsonDocument.Parse(File.ReadAllText(path));
        var properties = document.RootElement.GetProperty("runtimeOptions").GetProperty("configProperties");

        Assert.True(properties.GetProperty("System.GC.Server").GetBoolean());
        // Absent means the runtime's default, DATAS on; 0 would turn it off.
        Assert.True(
            !properties.TryGetProperty("System.GC.DynamicAdaptationMode", out var mode) || mode.GetInt32() == 1,
            $"System.GC.DynamicAdaptationMode is {mode}");
    }
}
