using SessionCluster.Actors.Remoting;

namespace SessionCluster.Actors.Tests.Remoting;

public sealed class HandshakeProofTests
{
    private static readonly byte[] ServerNonce = [.. Enumerable.Range(0, 32).Select(i => (byte)i)];
    private static readonly byte[] ClientNonce = [.. Enumerable.Range(100, 32).Select(i => (byte)i)];
    private static readonly UniqueAddress Node = new(new NodeAddress("10.0.0.1", 4053), 42);

    [Fact]
    public void ForConnector_SameInputs_SameProof() =>
        Assert.Equal(Connector(), Connector());

    [Fact]
    public void ForConnector_IsAnHmacSha256() => Assert.Equal(32, Connector().Length);

    public static TheoryData<string, byte[]> ChangedInputs => new()
    {
        { "secret", HandshakeProof.ForConnector("other", ServerNonce, ClientNonce, 1, "c", Node) },
        { "empty secret", HandshakeProof.ForConnector(string.Empty, ServerNonce, ClientNonce, 1, "c", Node) },
        { "server nonce", HandshakeProof.ForConnector("s", ClientNonce, ClientNonce, 1, "c", Node) },
        { "client nonce", HandshakeProof.ForConnector("s", ServerNonce, ServerNonce, 1, "c", Node) },
        { "version", HandshakeProof.ForConnector("s", ServerNonce, ClientNonce, 2, "c", Node) },
        { "cluster", HandshakeProof.ForConnector("s", ServerNonce, ClientNonce, 1, "d", Node) },
        { "host", HandshakeProof.ForConnector("s", ServerNonce, ClientNonce, 1, "c", Node with { Address = Node.Address with { Host = "10.0.0.2" } }) },
        { "port", HandshakeProof.ForConnector("s", ServerNonce, ClientNonce, 1, "c", Node with { Address = Node.Address with { Port = 4054 } }) },
        { "uid", HandshakeProof.ForConnector("s", ServerNonce, ClientNonce, 1, "c", Node with { Uid = 43 }) },
        { "role", HandshakeProof.ForAcceptor("s", ServerNonce, ClientNonce, 1, "c", Node) },
    };

    [Theory]
    [MemberData(nameof(ChangedInputs))]
    public void Proof_AnyInputChanged_DoesNotMatch(string changed, byte[] proof) =>
        Assert.False(HandshakeProof.Matches(Connector(), proof), $"changing the {changed} left the proof the same");

    [Fact]
    public void Proof_FieldBoundaries_AreUnambiguous()
    {
        // "ab" + "c" and "a" + "bc" must not collide: every field carries its length.
        var one = HandshakeProof.ForConnector("s", ServerNonce, ClientNonce, 1, "ab", Node with { Address = Node.Address with { Host = "c" } });
        var two = HandshakeProof.ForConnector("s", ServerNonce, ClientNonce, 1, "a", Node with { Address = Node.Address with { Host = "bc" } });

        Assert.False(HandshakeProof.Matches(one, two));
    }

    [Fact]
    public void Matches_DifferentLengths_IsFalse() => Assert.False(HandshakeProof.Matches(Connector(), Connector()[..16]));

    [Fact]
    public void NewNonce_IsFreshEachTime() => Assert.NotEqual(HandshakeProof.NewNonce(), HandshakeProof.NewNonce());

    private static byte[] Connector() => HandshakeProof.ForConnector("s", ServerNonce, ClientNonce, 1, "c", Node);
}
