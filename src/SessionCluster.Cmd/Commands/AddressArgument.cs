using System.CommandLine;
using SessionCluster.Cmd.Api;

namespace SessionCluster.Cmd.Commands;

/// <summary>The <c>&lt;address&gt;</c> argument of the actions: a member's cluster address, <c>host:port</c> as
/// <c>cluster show</c> lists it, or <c>self</c> where the action allows it: the node asked (<c>--node</c>).</summary>
public static class AddressArgument
{
    /// <summary>The word that names the node asked, for an operator who knows a node by its HTTP port only.</summary>
    public const string Self = "self";

    public static Argument<string> Create(string description, bool allowSelf = false)
    {
        var forms = allowSelf ? "host:port as 'cluster show' lists it, or 'self' for the node asked (--node)" : "host:port, as 'cluster show' lists it";
        var argument = new Argument<string>("address") { Description = $"{description} ({forms})" };
        argument.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<string>() is { } text && !NodeEndpoint.IsClusterAddress(text) && !(allowSelf && text == Self))
            {
                result.AddError(allowSelf
                    ? $"'{text}' is not a cluster address: expected host:port as 'sessionctl cluster show' lists it, e.g. 127.0.0.1:4054, or 'self' for the node asked."
                    : $"'{text}' is not a cluster address: expected host:port as 'sessionctl cluster show' lists it, e.g. 127.0.0.1:4054.");
            }
        });
        return argument;
    }

    /// <summary>The cluster address <paramref name="address"/> stands for: itself, or for <c>self</c> the asked node's
    /// own address from its <c>/cluster/members</c>.</summary>
    public static async Task<string> ResolveAsync(ManagementClient client, string address, CancellationToken cancellation) =>
        address == Self ? (await client.GetMembersAsync(cancellation).ConfigureAwait(false)).Value.Self : address;
}
