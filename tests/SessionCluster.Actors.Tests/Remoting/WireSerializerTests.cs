using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using SessionCluster.Actors.Remoting;

namespace SessionCluster.Actors.Tests.Remoting;

public sealed class WireSerializerTests
{
    [Fact]
    public void Register_ThenFreeze_BindsTypeAndIdBothWays()
    {
        var serializer = TestMessages.Serializer();
        serializer.Freeze();

        Assert.True(serializer.TryGetByType(typeof(TextMessage), out var byType));
        Assert.True(serializer.TryGetById(TestMessages.TextId, out var byId));
        Assert.Same(byType, byId);
        var payload = byType.ToWire(new TextMessage("hi")).ToByteArray();
        Assert.Equal(new TextMessage("hi"), byId.FromWire(payload));
    }

    [Fact]
    public void Register_SameIdTwice_Throws()
    {
        var serializer = TestMessages.Serializer();

        var error = Assert.Throws<InvalidOperationException>(() =>
            serializer.Register<Int32Value>(TestMessages.TextId, Int32Value.Parser));
        Assert.Contains("already registered for TextMessage", error.Message);
    }

    [Fact]
    public void Register_SameTypeTwice_Throws()
    {
        var serializer = TestMessages.Serializer();

        Assert.Throws<InvalidOperationException>(() => serializer.Register<TextMessage, StringValue>(
            WireTypeIds.TestRangeStart + 99, StringValue.Parser, m => new StringValue { Value = m.Text }, w => new TextMessage(w.Value)));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    public void Register_IdNotPositive_Throws(int typeId) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new WireSerializer().Register<Int32Value>(typeId, Int32Value.Parser));

    [Fact]
    public void Register_AfterFreeze_Throws()
    {
        var serializer = TestMessages.Serializer();
        serializer.Freeze();

        Assert.True(serializer.IsFrozen);
        Assert.Throws<InvalidOperationException>(() => serializer.Register<Int32Value>(WireTypeIds.TestRangeStart + 99, Int32Value.Parser));
    }

    [Fact]
    public void Lookup_BeforeFreeze_Throws() =>
        Assert.Throws<InvalidOperationException>(() => TestMessages.Serializer().TryGetById(TestMessages.TextId, out _));

    [Fact]
    public void IsRegistered_IsExactType()
    {
        var serializer = TestMessages.Serializer();

        Assert.True(serializer.IsRegistered(typeof(TextMessage)));
        Assert.False(serializer.IsRegistered(typeof(string)));
    }
}
