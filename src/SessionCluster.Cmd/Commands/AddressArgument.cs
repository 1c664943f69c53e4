using System.CommandLine;
using SessionCluster.Cmd.Api;

namespace SessionCluster.Cmd.Commands;

/// <summary>The <c>&lt;address&gt;</c> argument of the actions: a member's cluster address, <c>host:port</c> as <c>cluster show</c> lists it.</summary>
public static class AddressArgument
{
    public static Argument<string> Create(string description)
    {
        var argument = new Argument<string>("address") { Description = description + " (host:port, as 'cluster show' lists it)" };
        argument.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<string>() is { } text && !NodeEndpoint.IsClusterAddress(text))
            {
                result.AddError($"'{text}' is not a cluster address: expected host:port as 'sessionctl cluster show' lists it, e.g. 127.0.0.1:4054.");
            }
        });
        return argument;
    }
}
