using System.CommandLine;
using SessionCluster.Cmd.Rendering;

namespace SessionCluster.Cmd.Commands;

/// <summary><c>sessionctl session locate &lt;id&gt;</c>: where a session lives.</summary>
public static class SessionCommands
{
    public static Command Create(CommandRunner runner)
    {
        var session = new Command("session", "sessions");
        var id = new Argument<string>("id") { Description = "the session id (32 hex digits, the cookie's value before the '.')" };
        var locate = new Command("locate", "the shard a session belongs to, its home and its backups") { id };
        locate.SetAction(runner.Action((context, parse, cancellation) => DocumentOutput.Write(
            context, context.Client.LocateSessionAsync(SessionIdOf(parse.GetRequiredValue(id)), cancellation), SessionRenderer.Location)));
        session.Add(locate);
        return session;
    }

    /// <summary>Accepts a whole cookie value too (<c>id.route</c>): the route is not part of the id.</summary>
    public static string SessionIdOf(string text)
    {
        var trimmed = text.Trim();
        var dot = trimmed.IndexOf('.', StringComparison.Ordinal);
        return dot > 0 ? trimmed[..dot] : trimmed;
    }
}
