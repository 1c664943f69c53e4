namespace SessionCluster.Hocon.Tests;

/// <summary>Sets a uniquely named environment variable for one test and removes it afterwards.</summary>
internal sealed class EnvironmentVariableScope : IDisposable
{
    public EnvironmentVariableScope(string? value, string prefix = "HOCON_TEST_")
    {
        // A fresh name per test keeps parallel tests from seeing each other's variables.
        Name = prefix + Guid.NewGuid().ToString("N").ToUpperInvariant();
        Environment.SetEnvironmentVariable(Name, value);
    }

    public string Name { get; }

    public void Dispose() => Environment.SetEnvironmentVariable(Name, null);
}
