using System.CommandLine;
using SessionCluster.Cmd.Api;

namespace SessionCluster.Cmd.Commands;

/// <summary>The <c>&lt;address&gt;</c> argument of the actions: a member's cluster address, <c>host:port</c> as
/// <c>cluster show</c> lists it; a member's route name (<c>w2</c>, as the node was started with <c>--route</c>); or
/// <c>self</c> where the action allows it: the node asked (<c>--node</c>).</summary>
public static class AddressArgument
{
    /// <summary>The word that names the node asked, for an operator who knows a node by its HTTP port only.</summary>
    public const string Self = "self";

    public static Argument<string> Create(string description, bool allowSelf = false)
    {
        var forms = allowSelf
            ? "host:port or route name as 'cluster show' lists them, or 'self' for the node asked (--node)"
            : "host:port or route name, as 'cluster show' lists them";
        var argument = new Argument<string>("address") { Description = $"{description} ({forms})" };
        argument.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<string>() is not { } text)
            {
                return;
            }

            if (!allowSelf && text == Self)
            {
                result.AddError("'self' is not allowed here: give the member's cluster address or route name as 'sessionctl cluster show' lists them.");
            }
            else if (!IsAddressOrRoute(text))
            {
                result.AddError(
                    $"'{text}' is neither a cluster address nor a route name: expected host:port or a route as 'sessionctl cluster show' lists them, e.g. 127.0.0.1:4054 or w2{(allowSelf ? ", or 'self' for the node asked" : "")}.");
            }
        });
        return argument;
    }

    /// <summary>The cluster address <paramref name="address"/> stands for: itself; for <c>self</c> the asked node's own
    /// address; for a route name the address of the member with that route, both from the node's <c>/cluster/members</c>.</summary>
    /// <exception cref="ManagementException">No member, or members at more than one address, have that route.</exception>
    public static async Task<string> ResolveAsync(ManagementClient client, string address, CancellationToken cancellation)
    {
        if (NodeEndpoint.IsClusterAddress(address))
        {
            return address;
        }

        var members = (await client.GetMembersAsync(cancellation).ConfigureAwait(false)).Value;
        if (address == Self)
        {
            return members.Self;
        }

        var named = members.Members.Where(member => member.Route == address).Select(member => member.Address).Distinct(StringComparer.Ordinal).ToList();
        return named.Count switch
        {
            1 => named[0],
            0 => throw new ManagementException(
                ExitCodes.Refused,
                $"no member has the route '{address}'; the routes are: {string.Join(", ", members.Members.Select(member => member.Route).OfType<string>().Order(StringComparer.Ordinal).DefaultIfEmpty("none"))}."),
            _ => throw new ManagementException(
                ExitCodes.Refused,
                $"the route '{address}' names members at {string.Join(", ", named)}; give the cluster address."),
        };
    }

    /// <summary>True if <paramref name="text"/> names a member by its cluster address or its route name.</summary>
    public static bool IsAddressOrRoute(string text) => NodeEndpoint.IsClusterAddress(text) || IsRouteName(text);

    /// <summary>A node's route: 1 to 64 ASCII letters, digits, '-' or '_' (no ':', so never taken for an address). The
    /// node's own rule (RouteName in SessionCluster.Actors), restated: this tool depends on the API, not the node.</summary>
    private static bool IsRouteName(string text) =>
        text.Length is > 0 and <= 64 && text.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_');
}
