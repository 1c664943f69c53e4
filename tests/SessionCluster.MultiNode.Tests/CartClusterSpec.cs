using System.Net;
using System.Net.Http.Json;
using SessionCluster.MultiNode.Tests.Support;
using SessionCluster.TestKit;
using Xunit.Abstractions;

namespace SessionCluster.MultiNode.Tests;

/// <summary>
/// The ShoppingCart sample (an ordinary ASP.NET Core app using only HttpContext.Session, made a cluster node by
/// <c>builder.AddSessionCluster()</c>) as three real processes: a cart changed on one node is read on another, with
/// the same session id; concurrent requests of one session on two nodes, each adding a different product, keep both
/// products (a commit sends only the keys its request changed); and after <c>kill -9</c> of the third node every cart
/// is still whole on the other two.
/// </summary>
[Trait("Category", "MultiNode")]
public sealed class CartClusterSpec(ITestOutputHelper output) : IAsyncLifetime
{
    private const int Browsers = 12;
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    private CartNodes? _nodes;

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        if (_nodes is not null)
        {
            await _nodes.DisposeAsync();
        }
    }

    [Fact]
    public async Task ThreeCartNodes_ACommitOnOneIsReadOnAnother_ConcurrentAddsOfDifferentProductsBothSurvive_AndAKillLosesNoCart()
    {
        try
        {
            await CommitOnOneReadOnTheOther();
        }
        catch
        {
            if (_nodes is not null)
            {
                output.WriteLine(_nodes.Report());
            }

            throw;
        }
    }

    private async Task CommitOnOneReadOnTheOther()
    {
        _nodes = await CartNodes.StartAsync(3, Deadline);
        var (a, b) = (_nodes.Nodes[0].BaseAddress, _nodes.Nodes[1].BaseAddress);

        // A node has joined once it serves a session (its region knows a coordinator); shards then move to it.
        foreach (var node in _nodes.Nodes.Skip(1))
        {
            using var probe = Browser();
            await Eventually.True(
                async () => (await probe.PostAsync(new Uri(node.BaseAddress, "/cart/items/warm-up"), null)).IsSuccessStatusCode,
                $"{node.Name} to serve a session (joined the first)",
                Deadline);
        }

        // Cookies do not care about ports: each browser's cookie goes to both nodes, as through a balancer.
        var browsers = Enumerable.Range(0, Browsers).Select(_ => Browser()).ToList();
        try
        {
            for (var i = 0; i < Browsers; i++)
            {
                var browser = browsers[i];
                var onA = await Cart(browser.PostAsync(new Uri(a, $"/cart/items/apple?quantity={i + 1}"), null));
                var onB = await Cart(browser.GetAsync(new Uri(b, "/cart")));
                Assert.Equal(onA.Session, onB.Session);
                Assert.Equal(i + 1, Assert.Single(onB.Items, item => item.Key == "apple").Value);

                await Cart(browser.PutAsync(new Uri(b, "/cart/customer?name=Zo%C3%AB"), null));
                var back = await Cart(browser.GetAsync(new Uri(a, "/cart")));
                Assert.Equal("Zoë", back.Customer);
            }

            // Each browser adds a different product on each node at the same time.
            await Task.WhenAll(browsers.SelectMany((browser, i) => new[]
            {
                Cart(browser.PostAsync(new Uri(a, $"/cart/items/pear-{i}"), null)),
                Cart(browser.PostAsync(new Uri(b, $"/cart/items/plum-{i}"), null)),
            }));

            for (var i = 0; i < Browsers; i++)
            {
                var cart = await Cart(browsers[i].GetAsync(new Uri(i % 2 == 0 ? a : b, "/cart")));
                Assert.Equal(["apple", $"pear-{i}", $"plum-{i}"], cart.Items.Keys.Order(StringComparer.Ordinal));
                Assert.Equal(i + 1, cart.Items["apple"]);
            }

            // Checkout (Clear) on one node empties the cart everywhere.
            await Cart(browsers[0].PostAsync(new Uri(b, "/cart/checkout"), null));
            Assert.Empty((await Cart(browsers[0].GetAsync(new Uri(a, "/cart")))).Items);

            // kill -9 of the third node: every cart it was home to is served by the others from its backup, whole.
            var victim = _nodes.Nodes[2];
            victim.Kill();
            await victim.WaitForExitAsync(Deadline);
            for (var i = 1; i < Browsers; i++)
            {
                var browser = browsers[i];
                var index = i;
                var cart = await Eventually.Value(
                    async () =>
                    {
                        using var response = await browser.GetAsync(new Uri(index % 2 == 0 ? a : b, "/cart"));
                        return response.IsSuccessStatusCode ? await Cart(Task.FromResult(response)) : null;
                    },
                    view => view is not null,
                    $"cart {i} to be served after kill -9 of {victim.Name}",
                    Deadline);
                Assert.Equal(["apple", $"pear-{i}", $"plum-{i}"], cart!.Items.Keys.Order(StringComparer.Ordinal));
                Assert.Equal(i + 1, cart.Items["apple"]);
                Assert.Equal("Zoë", cart.Customer);
            }
        }
        finally
        {
            browsers.ForEach(browser => browser.Dispose());
        }
    }

    private static HttpClient Browser() =>
        new(new SocketsHttpHandler { CookieContainer = new CookieContainer(), UseCookies = true }) { Timeout = TimeSpan.FromSeconds(15) };

    private static async Task<CartView> Cart(Task<HttpResponseMessage> request)
    {
        using var response = await request;
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{response.RequestMessage?.Method} {response.RequestMessage?.RequestUri}: {(int)response.StatusCode} {body}");
        return System.Text.Json.JsonSerializer.Deserialize<CartView>(body, new System.Text.Json.JsonSerializerOptions(System.Text.Json.JsonSerializerDefaults.Web))!;
    }

    private sealed record CartView(string Session, string? Customer, Dictionary<string, int> Items);
}
