using Microsoft.Extensions.Logging;

namespace SessionCluster.Actors.Tests.Remoting;

/// <summary>A logger factory whose every category writes to one <see cref="CapturingLogger"/>, for a whole node's log.</summary>
public sealed class CapturingLoggerFactory : ILoggerFactory
{
    public CapturingLogger Log { get; } = new();

    public ILogger CreateLogger(string categoryName) => Log;

    public void AddProvider(ILoggerProvider provider)
    {
    }

    public void Dispose()
    {
    }
}
