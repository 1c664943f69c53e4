using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using SessionCluster.Actors.Remoting;

namespace SessionCluster.Actors.Management;

/// <summary>The management API's actions, each a <c>POST</c> that needs the token: <c>/cluster/leave/{address}</c>,
/// <c>/cluster/down/{address}</c>, <c>/cluster/down-unreachable</c>, <c>/cluster/drain/{address}</c>,
/// <c>/cluster/rebalance</c> and <c>/cluster/weight/{address}?value=N</c>. Mapped by every kind of node.</summary>
public static class ManagementActionEndpoints
{
    public static IEndpointRouteBuilder MapManagementActions(this IEndpointRouteBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.MapPost("/cluster/leave/{address}", (HttpContext http, NodeManagement management, string address) =>
            OnMember(http, address, "leave", management.LeaveAsync)).RequireManagementToken();
        app.MapPost("/cluster/down/{address}", (HttpContext http, NodeManagement management, string address) =>
            OnMember(http, address, "down", management.DownAsync)).RequireManagementToken();
        app.MapPost("/cluster/drain/{address}", (HttpContext http, NodeManagement management, string address) =>
            OnMember(http, address, "drain", management.DrainAsync)).RequireManagementToken();

        app.MapPost("/cluster/down-unreachable", async (HttpContext http, NodeManagement management) =>
        {
            var (outcome, downed) = await management.DownUnreachableAsync(http.RequestAborted);
            if (!outcome.Succeeded)
            {
                await ManagementJson.WriteOutcome(http.Response, outcome);
                return;
            }

            await ManagementJson.Write(http.Response, writer =>
            {
                writer.WriteStartObject();
                writer.WriteString("action", "down-unreachable");
                writer.WriteStartArray("downed");
                foreach (var address in downed)
                {
                    writer.WriteStringValue(address.ToString());
                }

                writer.WriteEndArray();
                writer.WriteEndObject();
            });
        }).RequireManagementToken();

        app.MapPost("/cluster/rebalance", async (HttpContext http, NodeManagement management) =>
        {
            var outcome = await management.RebalanceAsync(http.RequestAborted);
            if (!outcome.Succeeded)
            {
                await ManagementJson.WriteOutcome(http.Response, outcome);
                return;
            }

            await ManagementJson.Write(http.Response, writer =>
            {
                writer.WriteStartObject();
                writer.WriteString("action", "rebalance");
                writer.WriteEndObject();
            }, StatusCodes.Status202Accepted);
        }).RequireManagementToken();

        app.MapPost("/cluster/weight/{address}", async (HttpContext http, NodeManagement management, string address) =>
        {
            if (!TryParseAddress(address, out var node, out var error))
            {
                await ManagementJson.WriteError(http.Response, StatusCodes.Status400BadRequest, error);
                return;
            }

            var text = http.Request.Query["value"].ToString();
            if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var weight) || weight > ManagementWireFormat.MaxWeight)
            {
                await ManagementJson.WriteError(
                    http.Response,
                    StatusCodes.Status400BadRequest,
                    $"'{text}' is not a weight: give ?value=N with N an integer from 0 to {ManagementWireFormat.MaxWeight} (0 hosts no shards).");
                return;
            }

            var outcome = await management.SetWeightAsync(node, weight, http.RequestAborted);
            if (!outcome.Succeeded)
            {
                await ManagementJson.WriteOutcome(http.Response, outcome);
                return;
            }

            await ManagementJson.Write(http.Response, writer =>
            {
                writer.WriteStartObject();
                writer.WriteString("action", "weight");
                writer.WriteString("address", node.ToString());
                writer.WriteNumber("weight", weight);
                writer.WriteEndObject();
            });
        }).RequireManagementToken();

        return app;
    }

    /// <summary>Parses a cluster address (<c>host:port</c>) from the path; the error says what was expected.</summary>
    public static bool TryParseAddress(string text, out NodeAddress address, out string error)
    {
        try
        {
            address = NodeAddress.Parse(text);
            error = string.Empty;
            return true;
        }
        catch (FormatException)
        {
            address = null!;
            error = $"'{text}' is not a cluster address: expected host:port as in GET /cluster/members (e.g. 127.0.0.1:4053).";
            return false;
        }
    }

    private static async Task OnMember(HttpContext http, string text, string action, Func<NodeAddress, CancellationToken, Task<ManagementOutcome>> act)
    {
        if (!TryParseAddress(text, out var address, out var error))
        {
            await ManagementJson.WriteError(http.Response, StatusCodes.Status400BadRequest, error);
            return;
        }

        var outcome = await act(address, http.RequestAborted);
        if (!outcome.Succeeded)
        {
            await ManagementJson.WriteOutcome(http.Response, outcome);
            return;
        }

        await ManagementJson.Write(http.Response, writer =>
        {
            writer.WriteStartObject();
            writer.WriteString("action", action);
            writer.WriteString("address", address.ToString());
            writer.WriteEndObject();
        }, outcome.Status);
    }
}
