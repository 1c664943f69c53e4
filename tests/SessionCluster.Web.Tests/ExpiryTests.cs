using System.Net;
using SessionCluster.TestKit;
using SessionCluster.Web.Tests.Support;
using static SessionCluster.Web.Tests.Support.SessionRequests;

namespace SessionCluster.Web.Tests;

/// <summary>
/// Idle expiry on a manual clock. The session region arms one periodic sweep (every 5 s); <see cref="ManualTimeProvider.Advance"/>
/// fires it and the region and entities handle the messages on their own turns, so tests wait for the effects with a
/// deadline. Every advance that fires a sweep stops exactly at its due time, so the entity reads the same "now".
/// </summary>
public sealed class ExpiryTests
{
    private static readonly TimeSpan Interval = TimeSpan.FromMinutes(30);

    [Fact]
    public async Task Session_IdleForMaxInactiveInterval_IsRemovedAndOldCookieGetsNewSession()
    {
        await using var node = new WebNodeFactory();
        using var client = node.CreateRawClient();
        var session = await client.PutAttribute("a", "1").ReadSession();
        await ExpirySweepArmed(node);

        node.Clock.Advance(Interval);

        await Eventually.True(async () => await node.LiveSessionCount() == 0, $"session {session.Id} to expire after 30 idle minutes");
        using var response = await client.GetSession(SessionCookie(session.Id));
        var fresh = await SessionDocument.Read(response);
        Assert.NotEqual(session.Id, fresh.Id);
        Assert.Equal(("{}", "2026-01-01T00:30:00Z"), (fresh.Attributes, fresh.Created));
        Assert.Equal(SessionSetCookie(fresh.Id), response.SetCookie());
    }

    [Fact]
    public async Task Session_IdleJustUnderMaxInactiveInterval_IsStillServed()
    {
        await using var node = new WebNodeFactory();
        using var client = node.CreateRawClient();
        var session = await client.PutAttribute("a", "1").ReadSession();
        await ExpirySweepArmed(node);

        node.Clock.Advance(Interval - TimeSpan.FromSeconds(1));
        using var response = await client.GetSession(SessionCookie(session.Id));
        var again = await SessionDocument.Read(response);

        Assert.Equal(session with { LastAccessed = "2026-01-01T00:29:59Z" }, again);
        Assert.Null(response.SetCookie());
    }

    [Fact]
    public async Task Session_Accessed_LastAccessedMovesAndCreatedStays()
    {
        await using var node = new WebNodeFactory();
        using var client = node.CreateRawClient();
        var session = await client.GetSession().ReadSession();

        node.Clock.Advance(TimeSpan.FromMinutes(5));
        var later = await client.GetSession(SessionCookie(session.Id)).ReadSession();

        Assert.Equal(("2026-01-01T00:00:00Z", "2026-01-01T00:05:00Z"), (later.Created, later.LastAccessed));
    }

    [Fact]
    public async Task Session_AccessedAt20Minutes_IsStillTheSameSessionAt40Minutes()
    {
        await using var node = new WebNodeFactory();
        using var client = node.CreateRawClient();
        var session = await client.PutAttribute("a", "1").ReadSession();
        var cookie = SessionCookie(session.Id);
        await ExpirySweepArmed(node);

        node.Clock.Advance(TimeSpan.FromMinutes(20));
        await client.GetSession(cookie).ReadSession();
        node.Clock.Advance(TimeSpan.FromMinutes(10));
        await ExpirySweepArmed(node);
        node.Clock.Advance(TimeSpan.FromMinutes(10));
        using var response = await client.GetSession(cookie);
        var at40 = await SessionDocument.Read(response);

        Assert.Equal(session with { LastAccessed = "2026-01-01T00:40:00Z" }, at40);
        Assert.Null(response.SetCookie());
    }

    [Fact]
    public async Task Session_AccessedAt20Minutes_ExpiresExactly30MinutesAfterThatAccess()
    {
        await using var node = new WebNodeFactory();
        using var client = node.CreateRawClient();
        var session = await client.GetSession().ReadSession();
        var cookie = SessionCookie(session.Id);
        await ExpirySweepArmed(node);
        node.Clock.Advance(TimeSpan.FromMinutes(20));
        await client.GetSession(cookie).ReadSession();

        // 00:30: the sweeps so far found the session idle only 10 minutes, and left it alone.
        node.Clock.Advance(TimeSpan.FromMinutes(10));
        await ExpirySweepArmed(node);
        node.Clock.Advance(TimeSpan.FromMinutes(10));
        Assert.Equal(1, await node.LiveSessionCount());

        node.Clock.Advance(TimeSpan.FromMinutes(10) - TimeSpan.FromSeconds(1));
        Assert.Equal(1, node.Clock.ActiveTimerCount);
        Assert.Equal(1, await node.LiveSessionCount());

        // 00:50: the sweep due then (every 5 s from 00:00) finds it idle for 30 minutes.
        node.Clock.Advance(TimeSpan.FromSeconds(1));
        await Eventually.True(async () => await node.LiveSessionCount() == 0, $"session {session.Id} to expire at 00:50, 30 minutes after its last access");
        Assert.NotEqual(session.Id, (await client.GetSession(cookie).ReadSession()).Id);
    }

    [Fact]
    public async Task Session_TimePastExpiryBeforeTimerRan_RequestGetsNewSession()
    {
        var timers = new ManualTimeProvider();
        var clock = new SkewedTimeProvider(timers);
        await using var node = new WebNodeFactory { Time = clock };
        using var client = node.CreateRawClient();
        var session = await client.PutAttribute("a", "1").ReadSession();

        clock.Skew = Interval;
        using var response = await client.GetAttribute("a", SessionCookie(session.Id));

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("{\"error\":\"The session has no attribute 'a'.\",\"status\":404}", await response.Content.ReadAsStringAsync());
        Assert.NotEqual(SessionSetCookie(session.Id), response.SetCookie());
        Assert.Matches("^SESSIONID=[0-9a-f]{32}\\.localhost-5000; path=/; samesite=lax; httponly$", response.SetCookie());
        await Eventually.True(async () => await node.LiveSessionCount() == 1, $"expired session {session.Id} to leave the region, leaving only the new one");
    }

    [Fact]
    public async Task Session_IntervalOverriddenTo10Seconds_DocumentShowsItAndSessionExpiresAfterIt()
    {
        await using var node = WebNodeFactory.With(("session-cluster:sessions:max-inactive-interval", "10s"));
        using var client = node.CreateRawClient();
        var session = await client.GetSession().ReadSession();
        await ExpirySweepArmed(node);

        node.Clock.Advance(TimeSpan.FromSeconds(9));
        var at9 = await client.GetSession(SessionCookie(session.Id)).ReadSession();
        node.Clock.Advance(TimeSpan.FromSeconds(1));
        await ExpirySweepArmed(node);
        Assert.Equal(1, await node.LiveSessionCount());
        node.Clock.Advance(TimeSpan.FromSeconds(9));

        Assert.Equal(10, session.MaxInactiveSeconds);
        Assert.Equal(session.Id, at9.Id);
        await Eventually.True(async () => await node.LiveSessionCount() == 0, $"session {session.Id} to expire 10 s after its access at 9 s");
        Assert.NotEqual(session.Id, (await client.GetSession(SessionCookie(session.Id)).ReadSession()).Id);
    }

    [Fact]
    public async Task Session_MaxInactiveIntervalZero_NeverExpires()
    {
        // Passivation off too, so that the node has no reason at all to keep a sweep timer.
        await using var node = WebNodeFactory.With(
            ("session-cluster:sessions:max-inactive-interval", "0s"), ("session-cluster:sharding:passivate-idle-after", "0s"));
        using var client = node.CreateRawClient();
        var session = await client.PutAttribute("a", "1").ReadSession();

        node.Clock.Advance(TimeSpan.FromDays(365));
        var later = await client.GetSession(SessionCookie(session.Id)).ReadSession();

        Assert.Equal(0, session.MaxInactiveSeconds);
        Assert.Equal(0, node.Clock.ActiveTimerCount);
        Assert.Equal(session with { LastAccessed = "2027-01-01T00:00:00Z" }, later);
    }

    [Fact]
    public async Task Session_OneIdleOneActive_OnlyIdleOneExpires()
    {
        await using var node = new WebNodeFactory();
        using var client = node.CreateRawClient();
        var idle = await client.GetSession().ReadSession();
        var busy = await client.GetSession().ReadSession();
        await ExpirySweepArmed(node);

        node.Clock.Advance(TimeSpan.FromMinutes(20));
        await client.GetSession(SessionCookie(busy.Id)).ReadSession();
        node.Clock.Advance(TimeSpan.FromMinutes(10));

        await Eventually.True(async () => await node.LiveSessionCount() == 1, $"idle session {idle.Id} to expire while {busy.Id} stays");
        Assert.Equal(busy.Id, (await client.GetSession(SessionCookie(busy.Id)).ReadSession()).Id);
        Assert.NotEqual(idle.Id, (await client.GetSession(SessionCookie(idle.Id)).ReadSession()).Id);
    }

    /// <summary>Waits until the region's expiry sweep, the one timer on the node's session clock, is armed.</summary>
    private static Task ExpirySweepArmed(WebNodeFactory node) =>
        Eventually.True(() => node.Clock.ActiveTimerCount == 1, "the session region's expiry sweep to be armed");
}
