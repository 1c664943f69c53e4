using System.Net;
using System.Net.Http.Json;
using System.Text;
using SessionCluster.Actors.Sessions;
using SessionCluster.Hosting.Tests.Support;

namespace SessionCluster.Hosting.Tests;

/// <summary>HttpContext.Session on one node through WebApplicationFactory: the ISession members an app calls, byte-exact
/// values, the commit of only changed keys, limits, ids that are never adopted, and SessionOptions.IdleTimeout.</summary>
public sealed class SessionContractTests : IAsyncLifetime
{
    private readonly CartFactory _factory = new();

    public static TheoryData<string, byte[]> Values => new()
    {
        { "empty", [] },
        { "every byte value", [.. Enumerable.Range(0, 256).Select(i => (byte)i)] },
        { "UTF-8 text", Encoding.UTF8.GetBytes("héllo \"wörld\" \\ \u2028 😀") },
        { "invalid UTF-8", [0xFF, 0xC3, 0x28, 0x00] },
        { "text that looks like the bytes marker", Encoding.UTF8.GetBytes("{\"$bytes\":\"AAAA\"}") },
        { "SetInt32 of 5", [0, 0, 0, 5] },
        { "4 KiB of random bytes", RandomBytes(4096) },
    };

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _factory.DisposeAsync();

    [Theory]
    [MemberData(nameof(Values))]
    public async Task Set_AnyBytes_ReadBackExactlyOnTheNextRequest(string what, byte[] value)
    {
        using var browser = _factory.CreateBrowser();
        (await browser.PutAsync("/probe/bytes/v", new ByteArrayContent(value))).EnsureSuccessStatusCode();

        var read = await browser.GetAsync("/probe/bytes/v");

        Assert.True(read.StatusCode == HttpStatusCode.OK, $"{what}: {read.StatusCode}");
        Assert.Equal(value, await read.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task StringIntRemoveClearAndKeys_BehaveAsISessionSays()
    {
        using var browser = _factory.CreateBrowser();
        await Put(browser, "/probe/string/name", "Zoë");
        (await browser.PutAsync("/probe/int/count/-42", null)).EnsureSuccessStatusCode();
        await Put(browser, "/probe/string/other", "x");

        Assert.Equal("Zoë", await browser.GetStringAsync("/probe/string/name"));
        Assert.Equal("-42", await browser.GetStringAsync("/probe/int/count"));
        Assert.Equal(["count", "name", "other"], (await Probe(browser)).Keys);

        var removed = await (await browser.DeleteAsync("/probe/other")).Content.ReadFromJsonAsync<ProbeResult>();
        Assert.Equal(["count", "name"], removed!.Keys);
        Assert.Equal("null", await browser.GetStringAsync("/probe/string/other"));

        var cleared = await (await browser.PostAsync("/probe/clear", null)).Content.ReadFromJsonAsync<ProbeResult>();
        Assert.Empty(cleared!.Keys);
        Assert.Empty((await Probe(browser)).Keys);
        Assert.Equal("null", await browser.GetStringAsync("/probe/int/count"));
    }

    [Fact]
    public async Task SynchronousMembersWithoutLoadAsync_AreCommittedByTheMiddleware()
    {
        using var browser = _factory.CreateBrowser();
        (await browser.PutAsync("/probe/int/n/7?sync=1", null)).EnsureSuccessStatusCode();

        Assert.Equal("7", await browser.GetStringAsync("/probe/int/n?sync=1"));
        Assert.Equal("7", await browser.GetStringAsync("/probe/int/n"));
    }

    [Fact]
    public async Task Id_IsTheClusterSessionId_StableAcrossRequests_AndTheEntityHoldsTheValues()
    {
        using var browser = _factory.CreateBrowser();
        await Put(browser, "/probe/string/greeting", "hi");
        var first = await Probe(browser);
        var second = await Probe(browser);

        Assert.Equal(first.Id, second.Id);
        Assert.True(SessionId.TryParse(first.Id, out var id), first.Id);
        var snapshot = Assert.IsType<SessionSnapshot>(await _factory.Node.Client.Send(new GetSession(id), CancellationToken.None));
        var attribute = Assert.Single(snapshot.Attributes);
        Assert.Equal("greeting", attribute.Key);
        Assert.Equal("\"hi\"", Encoding.UTF8.GetString(attribute.Value));
    }

    [Fact]
    public async Task ARequestThatWritesNothing_SetsNoCookie_AndCreatesNoSession()
    {
        using var client = _factory.CreateRawClient();
        var response = await client.GetAsync("/probe");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.False(response.Headers.Contains("Set-Cookie"));
        Assert.Equal(0, _factory.Node.LocalShards.SessionCount());
    }

    [Fact]
    public async Task ConcurrentRequestsOfOneSession_ChangingDifferentKeys_KeepBoth()
    {
        using var browser = _factory.CreateBrowser();
        await Put(browser, "/probe/string/base", "0");
        var first = Gate("first");
        var second = Gate("second");

        // Both load the same version of the session ({base}) before either commits.
        var writeA = browser.PutAsync("/probe/string/a?gate=first", new StringContent("A"));
        var writeB = browser.PutAsync("/probe/string/b?gate=second", new StringContent("B"));
        await first.Loaded.Task.WaitAsync(TimeSpan.FromSeconds(10));
        await second.Loaded.Task.WaitAsync(TimeSpan.FromSeconds(10));
        first.Release.SetResult();
        (await writeA).EnsureSuccessStatusCode();
        second.Release.SetResult();
        (await writeB).EnsureSuccessStatusCode();

        Assert.Equal(["a", "b", "base"], (await Probe(browser)).Keys);
        Assert.Equal("A", await browser.GetStringAsync("/probe/string/a"));
        Assert.Equal("B", await browser.GetStringAsync("/probe/string/b"));
    }

    [Fact]
    public async Task ManyParallelRequests_EachAddingItsOwnKey_AllKeysSurvive()
    {
        using var browser = _factory.CreateBrowser();
        await Put(browser, "/probe/string/base", "0");

        await Task.WhenAll(Enumerable.Range(0, 20).Select(async i =>
            (await browser.PutAsync($"/probe/int/k{i:00}/{i}", null)).EnsureSuccessStatusCode()));

        string[] expected = ["base", .. Enumerable.Range(0, 20).Select(i => $"k{i:00}")];
        Assert.Equal(expected, (await Probe(browser)).Keys);
    }

    [Fact]
    public async Task AValueOverMaxValueSize_IsRefusedAtSet_WithTheLimitNamed()
    {
        _factory.Settings["session-cluster:sessions:max-value-size"] = "1KiB";
        using var browser = _factory.CreateBrowser();
        await Put(browser, "/probe/string/kept", "yes");

        var refused = await browser.PutAsync("/probe/bytes/big", new ByteArrayContent(Encoding.UTF8.GetBytes(new string('x', 2000))));

        Assert.Equal(HttpStatusCode.InsufficientStorage, refused.StatusCode);
        Assert.Contains("max-value-size", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(["kept"], (await Probe(browser)).Keys);
    }

    [Fact]
    public async Task ABatchOverMaxAttributes_IsRefusedWhole_NothingApplied()
    {
        _factory.Settings["session-cluster:sessions:max-attributes"] = "3";
        using var browser = _factory.CreateBrowser();
        (await browser.PutAsync("/probe/many?keys=a,b", null)).EnsureSuccessStatusCode();

        var refused = await browser.PutAsync("/probe/many?keys=c,d", null);

        Assert.Equal(HttpStatusCode.InsufficientStorage, refused.StatusCode);
        Assert.Contains("would hold 4 attributes; the limit is 3", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(["a", "b"], (await Probe(browser)).Keys);
    }

    [Fact]
    public async Task ANewSessionsFirstCommitOverALimit_IsRefused_TheSessionStaysEmptyAndWritable()
    {
        // The first commit travels with the creation: refused, it leaves the session created and empty, never half-written.
        _factory.Settings["session-cluster:sessions:max-attributes"] = "3";
        using var browser = _factory.CreateBrowser();

        var refused = await browser.PutAsync("/probe/many?keys=a,b,c,d", null);

        Assert.Equal(HttpStatusCode.InsufficientStorage, refused.StatusCode);
        Assert.Empty((await Probe(browser)).Keys);
        (await browser.PutAsync("/probe/many?keys=a,b", null)).EnsureSuccessStatusCode();
        Assert.Equal(["a", "b"], (await Probe(browser)).Keys);
    }

    [Fact]
    public async Task AnInvalidatedSessionsKey_IsNeverAdopted_ANewKeyAndCookieReplaceIt()
    {
        using var browser = _factory.CreateBrowser();
        await Put(browser, "/probe/string/secret", "old");
        var old = await Probe(browser);
        Assert.True(SessionId.TryParse(old.Id, out var oldId));
        Assert.IsType<SessionInvalidated>(await _factory.Node.Client.Send(new InvalidateSession(oldId), CancellationToken.None));

        var afterEnd = await Probe(browser);
        Assert.Empty(afterEnd.Keys);
        Assert.NotEqual(old.Id, afterEnd.Id);

        var write = await browser.PutAsync("/probe/string/fresh", new StringContent("new"));
        write.EnsureSuccessStatusCode();
        Assert.Contains(write.Headers.GetValues("Set-Cookie"), cookie => cookie.StartsWith(".ShoppingCart.Session=", StringComparison.Ordinal));

        // The new cookie is read back by the real middleware: the id the write got, the new value, nothing of the old
        // session. (Each request that found the dead key drew a fresh key of its own; only the writing one's is kept.)
        var written = await write.Content.ReadFromJsonAsync<ProbeResult>();
        var renewed = await Probe(browser);
        Assert.Equal(written!.Id, renewed.Id);
        Assert.NotEqual(old.Id, renewed.Id);
        Assert.Equal(["fresh"], renewed.Keys);
        Assert.IsType<SessionNotFound>(await _factory.Node.Client.Send(new GetSession(oldId), CancellationToken.None));
    }

    [Fact]
    public async Task TheHomesRoute_GoesInTheRouteCookie_OnceUntilItChanges()
    {
        using var browser = _factory.CreateBrowser();
        var first = await browser.PutAsync("/probe/string/a", new StringContent("1"));
        first.EnsureSuccessStatusCode();
        Assert.Contains(first.Headers.GetValues("Set-Cookie"), cookie => cookie.StartsWith($"SESSIONROUTE={_factory.Node.Route};", StringComparison.Ordinal));

        var second = await browser.PutAsync("/probe/string/b", new StringContent("2"));
        second.EnsureSuccessStatusCode();
        Assert.DoesNotContain(second.Headers.TryGetValues("Set-Cookie", out var cookies) ? cookies : [], cookie => cookie.StartsWith("SESSIONROUTE=", StringComparison.Ordinal));

        // A browser whose route names another node (the session moved, or its home died) gets the home's route.
        var session = first.Headers.GetValues("Set-Cookie").Single(cookie => cookie.StartsWith(".ShoppingCart.Session=", StringComparison.Ordinal)).Split(';')[0];
        using var moved = _factory.CreateRawClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/probe");
        request.Headers.Add("Cookie", $"{session}; SESSIONROUTE=elsewhere");
        var rerouted = await moved.SendAsync(request);
        Assert.Equal(["a", "b"], (await rerouted.Content.ReadFromJsonAsync<ProbeResult>())!.Keys);
        Assert.Contains(rerouted.Headers.GetValues("Set-Cookie"), cookie => cookie.StartsWith($"SESSIONROUTE={_factory.Node.Route};", StringComparison.Ordinal));
    }

    [Fact]
    public async Task AForgedOrGarbageCookie_GetsANewSession()
    {
        using var client = _factory.CreateRawClient();
        using var request = new HttpRequestMessage(HttpMethod.Put, "/probe/string/x") { Content = new StringContent("1") };
        request.Headers.Add("Cookie", ".ShoppingCart.Session=CfDJ8notavalidprotectedpayload");

        var response = await client.SendAsync(request);

        response.EnsureSuccessStatusCode();
        Assert.Contains(response.Headers.GetValues("Set-Cookie"), cookie => cookie.StartsWith(".ShoppingCart.Session=", StringComparison.Ordinal));
        Assert.Equal(["x"], (await response.Content.ReadFromJsonAsync<ProbeResult>())!.Keys);
    }

    [Fact]
    public async Task IdleTimeout_ComesFromSessionOptions_AndEndsTheSession()
    {
        using var browser = _factory.CreateBrowser();
        await Put(browser, "/probe/string/a", "1");
        var started = await Probe(browser);
        Assert.True(SessionId.TryParse(started.Id, out var id));
        var snapshot = Assert.IsType<SessionSnapshot>(await _factory.Node.Client.Send(new GetSession(id), CancellationToken.None));
        // The sample sets IdleTimeout to 20 minutes; the cluster's own default is 30.
        Assert.Equal(TimeSpan.FromMinutes(20), snapshot.MaxInactiveInterval);

        _factory.Clock.Advance(TimeSpan.FromMinutes(19));
        Assert.Equal(["a"], (await Probe(browser)).Keys);
        _factory.Clock.Advance(TimeSpan.FromMinutes(20));

        var expired = await Probe(browser);
        Assert.Empty(expired.Keys);
        Assert.NotEqual(started.Id, expired.Id);
    }

    private static async Task Put(HttpClient browser, string path, string body) =>
        (await browser.PutAsync(path, new StringContent(body))).EnsureSuccessStatusCode();

    private static async Task<ProbeResult> Probe(HttpClient browser) =>
        (await browser.GetFromJsonAsync<ProbeResult>("/probe"))!;

    private static (TaskCompletionSource Loaded, TaskCompletionSource Release) Gate(string name)
    {
        var gate = (new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously), new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
        SessionProbeEndpoints.Gates[name] = gate;
        return gate;
    }

    private static byte[] RandomBytes(int length)
    {
        var bytes = new byte[length];
        new Random(20261122).NextBytes(bytes);
        return bytes;
    }
}
