using System.Globalization;
using Microsoft.Playwright;
using SessionCluster.MultiNode.Tests.Support;
using SessionCluster.TestKit;
using Xunit.Abstractions;

namespace SessionCluster.MultiNode.Tests;

/// <summary>
/// The dashboard of a node that protects its reads (<c>session-cluster.management.protect-reads = on</c>), in headless
/// Chromium: the page opens without the token, shows that its reads are refused and asks for the token; a wrong token
/// changes nothing; the right one makes it live (members and shards drawn), sent as a Bearer header from then on.
/// </summary>
[Trait("Category", "MultiNode")]
public sealed class DashboardTokenSpec(ITestOutputHelper output) : IAsyncLifetime
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    private NodeProcess? _node;
    private HeadlessChromium? _chromium;

    public async Task InitializeAsync()
    {
        var hosts = NodeHosts.Locate();
        var ports = FreePorts.Take(2);
        // No --config and no seeds: a single-node cluster on reference.conf, reads protected by the spec's token.
        _node = NodeProcess.Start("solo", 1, hosts.Dotnet, hosts.WebDll,
            [
                "--port", ports[0].ToString(CultureInfo.InvariantCulture),
                "--urls", $"http://127.0.0.1:{ports[1].ToString(CultureInfo.InvariantCulture)}",
                "--route", "solo",
                $"--session-cluster:management:token={NodeProcess.ManagementToken}",
                "--session-cluster:management:protect-reads=on",
            ],
            hosts.RepositoryRoot, ports[0], ports[1]);
        _chromium = await HeadlessChromium.LaunchAsync();
    }

    public async Task DisposeAsync()
    {
        if (_chromium is not null)
        {
            await _chromium.DisposeAsync();
        }

        if (_node is not null)
        {
            await _node.DisposeAsync();
        }
    }

    [ChromiumFact]
    public async Task ProtectedReads_PageAsksForTheToken_AndGoesLiveWithTheRightOne()
    {
        var node = _node!;
        try
        {
            var page = await _chromium!.Browser.NewPageAsync();
            var errors = new List<string>();
            page.PageError += (_, error) => errors.Add(error);
            var response = await Eventually.Value(
                async () =>
                {
                    try
                    {
                        return await page.GotoAsync(new Uri(node.BaseAddress, "/dashboard").ToString());
                    }
                    catch (PlaywrightException)
                    {
                        return null; // not listening yet
                    }
                },
                answer => answer is { Ok: true },
                "GET /dashboard without a token to answer 200",
                Deadline);

            var form = page.Locator("#token-form");
            await Eventually.True(async () => await form.IsVisibleAsync(), "the page to ask for the token", Deadline);
            var refused = await DashboardView.ReadAsync(page);
            Assert.Contains("401", refused.Status, StringComparison.Ordinal);
            Assert.Empty(refused.MemberStatus);

            // A wrong token: still refused, still asking.
            await page.FillAsync("#token", "not-the-token");
            await page.ClickAsync("#token-form button");
            await Eventually.True(
                async () => (await DashboardView.ReadAsync(page)).Status.Contains("Wrong management token", StringComparison.Ordinal),
                "the page to show the wrong token's refusal",
                Deadline);
            Assert.True(await form.IsVisibleAsync());

            await page.FillAsync("#token", NodeProcess.ManagementToken);
            await page.ClickAsync("#token-form button");
            var live = await Eventually.Value(
                () => DashboardView.ReadAsync(page),
                view => view.Status.StartsWith("live", StringComparison.Ordinal) && view.MemberStatus.Count == 1 && view.Rows.Count == 1,
                "the page to go live with the node's member and its shards",
                Deadline);
            Assert.False(await form.IsVisibleAsync(), "the token field is hidden once reads are answered");
            Assert.Equal(100, live.Rows.Values.Single().Homes);
            Assert.True(errors.Count == 0, $"The page reported errors:\n  {string.Join("\n  ", errors)}");
            output.WriteLine($"live: {live}");
        }
        catch
        {
            output.WriteLine(node.Describe(200));
            throw;
        }
    }
}
