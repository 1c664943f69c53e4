using Microsoft.Extensions.Logging;

namespace SessionCluster.Actors.Runtime;

/// <summary>Source-generated log messages of the actor runtime.</summary>
internal static partial class RuntimeLog
{
    [LoggerMessage(EventId = 100, Level = LogLevel.Error, Message = "Actor {Path} failed handling {MessageType}; directive {Directive}")]
    public static partial void ActorFailed(ILogger logger, Exception exception, string path, string messageType, SupervisorDirective directive);

    [LoggerMessage(EventId = 101, Level = LogLevel.Warning, Message = "Actor {Path} exceeded {MaxRestarts} restarts within {Window}; stopping it")]
    public static partial void RestartBudgetExceeded(ILogger logger, string path, int maxRestarts, TimeSpan window);

    [LoggerMessage(EventId = 102, Level = LogLevel.Error, Message = "Actor {Path} threw from {Hook}; ignored")]
    public static partial void HookFailed(ILogger logger, Exception exception, string path, string hook);

    [LoggerMessage(EventId = 103, Level = LogLevel.Debug, Message = "Dead letter {MessageType} to {Recipient}")]
    public static partial void DeadLetter(ILogger logger, string messageType, string recipient);

    [LoggerMessage(EventId = 104, Level = LogLevel.Warning, Message = "Actor {Path} is overloaded: its mailbox holds {Capacity} messages; refused {MessageType} and {Refused} messages in all since the last warning, each answered as overloaded")]
    public static partial void MailboxOverflow(ILogger logger, string path, int capacity, string messageType, long refused);
}
