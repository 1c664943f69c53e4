using SessionCluster.Actors.Remoting;

namespace SessionCluster.Actors.Tests.Remoting;

public sealed class WireFieldTests
{
    [Fact]
    public void ToString_RootOnly_IsTheRoot()
    {
        Assert.Equal("ShardEnvelope", new WireField("ShardEnvelope").ToString());
        WireField fromText = "ShardEnvelope.command";
        Assert.Equal("ShardEnvelope.command", fromText.ToString());
    }

    [Fact]
    public void Then_Name_AppendsADottedField()
    {
        Assert.Equal("ShardEnvelope.command.session_id", new WireField("ShardEnvelope").Then("command").Then("session_id").ToString());
    }

    [Fact]
    public void Then_NameAndIndex_AppendsAnElementOfTheRepeatedField()
    {
        var session = new WireField("ShardTransfer").Then("sessions", 3);

        Assert.Equal("ShardTransfer.sessions[3]", session.ToString());
        Assert.Equal("ShardTransfer.sessions[3].session_id", session.Then("session_id").ToString());
        Assert.Equal("ShardTransfer.sessions[0]", new WireField("ShardTransfer").Then("sessions", 0).ToString());
    }

    [Fact]
    public void At_AppendsAnElementOfThisField()
    {
        var addresses = new WireField("Gossip").Then("addresses");

        Assert.Equal("Gossip.addresses[2]", addresses.At(2).ToString());
        Assert.Equal("Gossip.addresses[2].host", addresses.At(2).Then("host").ToString());
        Assert.Equal("Gossip.addresses[1][4]", addresses.At(1).At(4).ToString());
    }

    [Fact]
    public void Then_DottedName_RendersAsTheNamesOneByOne()
    {
        var root = new WireField("ShardReply");

        Assert.Equal("ShardReply.reply.snapshot.state", root.Then("reply").Then("snapshot.state").ToString());
        Assert.Equal(root.Then("reply").Then("snapshot").Then("state").ToString(), root.Then("reply").Then("snapshot.state").ToString());
    }

    [Fact]
    public void ToString_DeeperThanInlineParts_FoldsButRendersTheSame()
    {
        var deep = new WireField("ShardReply").Then("reply").Then("snapshot").Then("state").Then("attributes", 0).Then("name");
        Assert.Equal("ShardReply.reply.snapshot.state.attributes[0].name", deep.ToString());

        // Deep enough to fold more than once, with names, elements of named fields and bare elements at every position.
        var path = new WireField("R");
        var expected = "R";
        for (var part = 0; part < 3 * WireField.InlineParts + 1; part++)
        {
            (path, expected) = (part % 3) switch
            {
                0 => (path.Then("a.b"), expected + ".a.b"),
                1 => (path.Then("c", part), expected + $".c[{part}]"),
                _ => (path.At(part), expected + $"[{part}]"),
            };
            Assert.Equal(expected, path.ToString());
        }
    }

    [Fact]
    public void Then_LeavesTheParentAsItWas()
    {
        var parent = new WireField("Gossip").Then("members", 1);
        var address = parent.Then("address");
        var status = parent.Then("status");

        Assert.Equal("Gossip.members[1]", parent.ToString());
        Assert.Equal("Gossip.members[1].address", address.ToString());
        Assert.Equal("Gossip.members[1].status", status.ToString());
        Assert.Equal("Gossip.members[1].address.host", address.Then("host").ToString());
    }
}
