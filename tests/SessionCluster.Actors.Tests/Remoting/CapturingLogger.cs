using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace SessionCluster.Actors.Tests.Remoting;

/// <summary>A logger that keeps every entry, so a test can check that trouble was logged, and why.</summary>
public sealed class CapturingLogger : ILogger
{
    private readonly ConcurrentQueue<(LogLevel Level, EventId Event, string Message)> _entries = new();

    public IReadOnlyList<(LogLevel Level, EventId Event, string Message)> Entries => [.. _entries];

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    /// <summary>Forgets what was logged so far.</summary>
    public void Clear() => _entries.Clear();

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
        _entries.Enqueue((logLevel, eventId, formatter(state, exception)));
}
