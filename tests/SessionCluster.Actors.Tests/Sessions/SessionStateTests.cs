using System.Text;
using SessionCluster.Actors.Hosting;
using SessionCluster.Actors.Sessions;

namespace SessionCluster.Actors.Tests.Sessions;

public sealed class SessionStateTests
{
    private static readonly DateTimeOffset Start = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private readonly SessionSettings _limits = SessionClusterSettings.Default.Sessions with
    {
        MaxValueBytes = 10,
        MaxAttributes = 2,
        MaxSessionBytes = 30,
        MaxNameLength = 5,
    };

    private readonly SessionState _state = new(SessionId.New(), Start, TimeSpan.FromMinutes(30));

    [Fact]
    public void Set_ThenGet_ReturnsValueAndCountsBytes()
    {
        Assert.Null(_state.Set("a", Json("123"), _limits));

        Assert.Equal("123", Text(_state.Get("a")));
        Assert.Equal(1 + 3, _state.SizeInBytes);
    }

    [Fact]
    public void Set_Existing_ReplacesValueAndRecountsBytes()
    {
        _state.Set("a", Json("123"), _limits);

        Assert.Null(_state.Set("a", Json("1"), _limits));

        Assert.Equal("1", Text(_state.Get("a")));
        Assert.Equal(1, _state.AttributeCount);
        Assert.Equal(2, _state.SizeInBytes);
    }

    [Fact]
    public void Set_ValueOverLimit_RejectsAndChangesNothing()
    {
        var rejected = _state.Set("a", Json("\"123456789\""), _limits);

        Assert.Equal(SessionRejection.ValueTooLarge, rejected!.Reason);
        Assert.Equal(0, _state.AttributeCount);
    }

    [Fact]
    public void Set_BeyondAttributeCount_Rejects()
    {
        _state.Set("a", Json("1"), _limits);
        _state.Set("b", Json("2"), _limits);

        Assert.Equal(SessionRejection.TooManyAttributes, _state.Set("c", Json("3"), _limits)!.Reason);
        Assert.Null(_state.Set("b", Json("4"), _limits));
        Assert.Null(_state.Get("c"));
    }

    [Fact]
    public void Set_BeyondSessionSize_RejectsAndKeepsOldValue()
    {
        var limits = _limits with { MaxSessionBytes = 12 };
        _state.Set("a", Json("12345"), limits);

        Assert.Equal(SessionRejection.SessionTooLarge, _state.Set("b", Json("123456"), limits)!.Reason);
        Assert.Null(_state.Get("b"));
        Assert.Equal(6, _state.SizeInBytes);
    }

    [Theory]
    [InlineData("")]
    [InlineData("sixsix")]
    [InlineData("a\u0001")]
    public void Set_InvalidName_Rejects(string name) =>
        Assert.Equal(SessionRejection.InvalidName, _state.Set(name, Json("1"), _limits)!.Reason);

    [Fact]
    public void Set_NameWithLoneSurrogate_Rejects()
    {
        // Built here rather than in [InlineData]: the test runner cannot carry lone surrogates through its data.
        foreach (var name in new[] { "a" + '\ud800', '\udc00' + "b", "a" + '\udc00' + '\ud800' })
        {
            Assert.Equal(SessionRejection.InvalidName, _state.Set(name, Json("1"), _limits)!.Reason);
        }
    }

    [Theory]
    [InlineData("\ud83d\ude00")]
    [InlineData("é")]
    [InlineData("a b")]
    public void Set_PrintableName_Accepts(string name) => Assert.Null(_state.Set(name, Json("1"), _limits));

    [Fact]
    public void Remove_Existing_FreesItsBytesAndKeepsOthersInOrder()
    {
        _state.Set("a", Json("1"), _limits);
        _state.Set("b", Json("2"), _limits);

        Assert.True(_state.Remove("a"));
        Assert.False(_state.Remove("a"));

        Assert.Equal(["b"], _state.ToSnapshot("n").Attributes.Select(a => a.Key));
        Assert.Equal(2, _state.SizeInBytes);
    }

    [Fact]
    public void Increment_Missing_StartsAtZero()
    {
        Assert.Equal((5L, (SessionRejected?)null), _state.Increment("n", 5, _limits));
        Assert.Equal((3L, (SessionRejected?)null), _state.Increment("n", -2, _limits));
        Assert.Equal("3", Text(_state.Get("n")));
    }

    [Theory]
    [InlineData("\"5\"")]
    [InlineData("1.5")]
    [InlineData("1e3")]
    [InlineData("true")]
    [InlineData("[1]")]
    public void Increment_NonInteger_RejectsAndKeepsValue(string value)
    {
        _state.Set("n", Json(value), _limits with { MaxValueBytes = 100 });

        Assert.Equal(SessionRejection.NotAnInteger, _state.Increment("n", 1, _limits).Rejection!.Reason);
        Assert.Equal(value, Text(_state.Get("n")));
    }

    [Fact]
    public void Increment_Overflow_Rejects()
    {
        var limits = _limits with { MaxValueBytes = 100 };
        _state.Set("n", Json(long.MaxValue.ToString(System.Globalization.CultureInfo.InvariantCulture)), limits);

        Assert.Equal(SessionRejection.NotAnInteger, _state.Increment("n", 1, limits).Rejection!.Reason);
    }

    [Fact]
    public void IsExpired_AfterIdleInterval_AndTouchPostponesIt()
    {
        Assert.False(_state.IsExpired(Start + TimeSpan.FromMinutes(29)));
        _state.Touch(Start + TimeSpan.FromMinutes(20));

        Assert.False(_state.IsExpired(Start + TimeSpan.FromMinutes(49)));
        Assert.True(_state.IsExpired(Start + TimeSpan.FromMinutes(50)));
        Assert.Equal(TimeSpan.FromMinutes(10), _state.TimeToExpiry(Start + TimeSpan.FromMinutes(40)));
    }

    [Fact]
    public void IsExpired_ZeroInterval_NeverExpires()
    {
        var state = new SessionState(SessionId.New(), Start, TimeSpan.Zero);

        Assert.False(state.IsExpired(Start + TimeSpan.FromDays(3650)));
        Assert.Null(state.TimeToExpiry(Start));
    }

    [Fact]
    public void Snapshot_IsNotChangedByLaterWrites()
    {
        _state.Set("a", Json("1"), _limits);
        var snapshot = _state.ToSnapshot("n");

        _state.Set("a", Json("2"), _limits);
        _state.Remove("a");

        Assert.Equal("1", Text(snapshot.Attributes.Single().Value));
    }

    private static byte[] Json(string text) => Encoding.UTF8.GetBytes(text);

    private static string? Text(byte[]? bytes) => bytes is null ? null : Encoding.UTF8.GetString(bytes);
}
