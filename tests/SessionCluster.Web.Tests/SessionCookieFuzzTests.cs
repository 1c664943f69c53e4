using System.Net;
using System.Text;
using Microsoft.AspNetCore.Http;
using SessionCluster.Actors.Sessions;
using SessionCluster.TestKit.Fuzzing;
using SessionCluster.Web.Tests.Support;
using static SessionCluster.Web.Tests.Support.SessionRequests;
using Cookie = SessionCluster.Hosting.Http.SessionCookie;

namespace SessionCluster.Web.Tests;

/// <summary>Seeded fuzzing of the session cookie: the parser on its own, and whole requests whose Cookie header is
/// mutated from a real one. A cookie either names an issued session exactly, or gets a new session; nothing throws, and
/// no id the server did not issue is ever served. Raise the counts with SESSIONCLUSTER_FUZZ_ITERATIONS.</summary>
public sealed class SessionCookieFuzzTests
{
    private const string CookieName = "SESSIONID";

    private static readonly string[] Pieces =
    [
        "SESSIONID=", "sessionid=", ";", "; ", ",", "=", ".", "..", "\"", " ", "\t", "%00", "%2E", "$Version=1;", "SESSIONID=;", "a=b",
        "0123456789abcdef0123456789abcdef", "0123456789ABCDEF0123456789ABCDEF", "ffffffffffffffffffffffffffffffff", "g", "\u00e9", "\uFFFD",
        new string('9', 33), new string('a', 4096),
    ];

    [Fact]
    public void Parser_OnHostileCookieHeaders_NeverThrows_AndOnlyReturnsAnIdTheHeaderHolds()
    {
        var seed = FuzzBudget.Seed(5000);
        var random = new Random(seed);
        var iterations = FuzzBudget.Iterations(20_000);
        var valid = SessionId.New().ToString();
        var found = 0;
        for (var i = 0; i < iterations; i++)
        {
            var header = NextHeader(random, valid);
            var context = new DefaultHttpContext();
            context.Request.Headers.Cookie = header;
            try
            {
                var (id, route) = Cookie.Read(context.Request, CookieName);
                if (id is { } parsed)
                {
                    found++;
                    Assert.Contains(parsed.ToString(), header, StringComparison.OrdinalIgnoreCase);
                    Assert.True(route is null || Cookie.IsRouteToken(route), $"the route '{route}' is a plain token");
                }
                else
                {
                    Assert.Null(route);
                }
            }
            catch (Exception error) when (error is not Xunit.Sdk.XunitException)
            {
                throw new InvalidOperationException($"Fuzz finding (seed {seed}, iteration {i}): {error.GetType().Name} on Cookie header {Escape(header)}", error);
            }
        }

        Assert.InRange(found, 1, iterations - 1);
    }

    [Fact]
    public async Task Requests_WithHostileCookies_GetTheirOwnSessionOrANewOne_NeverAnother()
    {
        await using var node = new WebNodeFactory();
        using var client = node.CreateRawClient();
        var issued = (await client.GetSession().ReadSession()).Id;
        var seed = FuzzBudget.Seed(5001);
        var random = new Random(seed);
        var iterations = FuzzBudget.Iterations(300);
        var created = 0;
        for (var i = 0; i < iterations; i++)
        {
            var header = NextHeader(random, issued);
            using var request = new HttpRequestMessage(HttpMethod.Get, "/session");
            if (!request.Headers.TryAddWithoutValidation("Cookie", header))
            {
                continue;   // not sendable as a header at all (e.g. a line break): the client refuses it, no server sees it
            }

            using var response = await client.SendAsync(request);
            var context = new DefaultHttpContext();
            context.Request.Headers.Cookie = header;
            var expected = Cookie.Read(context.Request, CookieName).Id?.ToString();
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"seed {seed}, iteration {i}: {(int)response.StatusCode} for Cookie {Escape(header)}");
            var served = (await SessionDocument.Read(response)).Id;
            if (served == issued)
            {
                Assert.True(expected == issued, $"seed {seed}, iteration {i}: the issued session was served for Cookie {Escape(header)}, which does not name it");
            }
            else
            {
                Assert.True(expected != issued, $"seed {seed}, iteration {i}: Cookie {Escape(header)} names the issued session but got {served}");
                Assert.NotEqual(expected, served);   // a fresh id, never one the client wrote
                created++;
            }
        }

        Assert.Equal(1 + created, await node.LiveSessionCount());
    }

    /// <summary>The in-place reading of a plain cookie agrees with ASP.NET Core's cookie parser (<c>Request.Cookies</c>,
    /// what every header was read with before) on every fuzzed header and on the edge cases listed.</summary>
    [Fact]
    public void Parser_ReadsEveryHeaderAsAspNetCoresCookieParserDoes()
    {
        var seed = FuzzBudget.Seed(5002);
        var random = new Random(seed);
        var valid = SessionId.New().ToString();
        string[] edges =
        [
            "", ";", "SESSIONID", "SESSIONID=", $"SESSIONID={valid}", $"SESSIONID={valid}.w1", $"SESSIONID={valid}.w1;", $" SESSIONID={valid}.w1",
            $"a=b;SESSIONID={valid}.w1", $"a=b; SESSIONID={valid}.w1; c=d", $"XSESSIONID={valid}.w1", $"XSESSIONID=1; SESSIONID={valid}.w1",
            $"SESSIONID={valid}.w1; SESSIONID={SessionId.New()}.w2", $"SESSIONID =\"{valid}.w1\"", $"SESSIONID=\"{valid}.w1\"", $"SESSIONID= {valid}",
            $"SESSIONID={valid}.w1 ", $"SESSIONID={valid}%2Ew1", $"SESSIONID={valid}..w1", $"SESSIONID={valid}.", $"SESSIONID=.{valid}",
            $"a=SESSIONID={valid}.w1", $"a=x SESSIONID={valid}.w1", $"sessionid={valid}.w1", $"SESSIONID={valid.ToUpperInvariant()}.W-1_x",
            $"SESSIONID={valid}.{new string('r', 65)}", $"SESSIONID={valid}.w1,SESSIONID={valid}.w2",
        ];
        var headers = edges.Concat(Enumerable.Range(0, FuzzBudget.Iterations(20_000)).Select(_ => NextHeader(random, valid)));
        foreach (var header in headers)
        {
            var context = new DefaultHttpContext();
            context.Request.Headers.Cookie = header;
            var expected = ReadAsCookieCollection(new DefaultHttpContext { Request = { Headers = { Cookie = header } } }.Request);

            Assert.True(expected == Cookie.Read(context.Request, CookieName), $"seed {seed}: Cookie {Escape(header)}: expected {expected}");
        }
    }

    /// <summary>How the cookie was read before: from <c>Request.Cookies</c>, with the same id and route rules.</summary>
    private static (SessionId? Id, string? Route) ReadAsCookieCollection(HttpRequest request)
    {
        if (!request.Cookies.TryGetValue(CookieName, out var value) || string.IsNullOrEmpty(value))
        {
            return (null, null);
        }

        var dot = value.IndexOf('.');
        if (!SessionId.TryParse(dot < 0 ? value : value[..dot], out var id))
        {
            return (null, null);
        }

        var route = dot < 0 ? null : value[(dot + 1)..];
        return (id, route is not null && Cookie.IsRouteToken(route) ? route : null);
    }

    /// <summary>Found by the parser fuzzer: a cookie's route arrived URL-decoded and unchecked ("local host-5000", or
    /// kilobytes of anything) and could be written back into the next Set-Cookie; now only a route token is kept.</summary>
    [Theory]
    [InlineData("local%20host-5000")]
    [InlineData("a%3Bb")]
    [InlineData("%3Cscript%3E")]
    public void Read_RouteThatIsNotAToken_KeepsTheIdAndDropsTheRoute(string route)
    {
        var id = SessionId.New();
        var context = new DefaultHttpContext();
        context.Request.Headers.Cookie = $"{CookieName}={id}.{route}";

        Assert.Equal((id, (string?)null), Cookie.Read(context.Request, CookieName));
    }

    private static string NextHeader(Random random, string validId)
    {
        var genuine = $"{CookieName}={validId}.{WebNodeFactory.DefaultRoute}";
        var builder = new StringBuilder(random.Next(3) switch
        {
            0 => genuine,
            1 => $"theme=dark; {genuine}; lang=en",
            _ => string.Concat(Enumerable.Range(0, random.Next(5)).Select(_ => Pieces[random.Next(Pieces.Length)])),
        });
        for (var n = random.Next(4); n > 0; n--)
        {
            var at = random.Next(builder.Length + 1);
            switch (random.Next(4))
            {
                case 0:
                    builder.Insert(at, Pieces[random.Next(Pieces.Length)]);
                    break;
                case 1 when builder.Length > 0:
                    builder[Math.Min(at, builder.Length - 1)] = (char)random.Next(0x20, 0x7F);
                    break;
                case 2 when builder.Length > 0:
                    builder.Remove(Math.Min(at, builder.Length - 1), 1);
                    break;
                default:
                    builder.Insert(at, (char)random.Next(0, 0x3000));
                    break;
            }
        }

        return builder.ToString();
    }

    private static string Escape(string text) =>
        string.Concat(text.Take(200).Select(c => c is >= ' ' and < '\u007F' ? c.ToString() : $"\\u{(int)c:x4}"));
}
