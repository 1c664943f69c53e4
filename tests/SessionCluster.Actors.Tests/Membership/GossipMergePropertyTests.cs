using System.Collections.Immutable;
using SessionCluster.Actors.Membership;
using SessionCluster.Actors.Remoting;

namespace SessionCluster.Actors.Tests.Membership;

/// <summary>Gossip.Merge is a semilattice join, checked over seeded random gossips (not only reachable histories:
/// the laws must hold for any inputs, or an odd interleaving could make nodes disagree forever).</summary>
public sealed class GossipMergePropertyTests
{
    private const int Cases = 1000;

    private static readonly UniqueAddress[] Nodes =
        [.. Enumerable.Range(0, 6).Select(i => new UniqueAddress(new NodeAddress($"n{i % 4}", 1), 1 + (i / 4)))];

    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void Merge_IsCommutative(int seed) => ForAll(seed, 2, g => Assert.Equal(g[0].Merge(g[1]), g[1].Merge(g[0])));

    [Theory]
    [InlineData(4)]
    [InlineData(5)]
    [InlineData(6)]
    public void Merge_IsAssociative(int seed) =>
        ForAll(seed, 3, g => Assert.Equal(g[0].Merge(g[1]).Merge(g[2]), g[0].Merge(g[1].Merge(g[2]))));

    [Theory]
    [InlineData(7)]
    [InlineData(8)]
    public void Merge_IsIdempotent(int seed) => ForAll(seed, 2, g =>
    {
        Assert.Equal(g[0], g[0].Merge(g[0]));
        var merged = g[0].Merge(g[1]);
        Assert.Equal(merged, merged.Merge(g[1]));
        Assert.Equal(merged, merged.Merge(g[0]));
    });

    [Theory]
    [InlineData(9)]
    [InlineData(10)]
    public void Merge_NeverMovesAStatusBackNorResurrectsATombstone(int seed) => ForAll(seed, 2, g =>
    {
        var merged = g[0].Merge(g[1]);
        foreach (var input in g)
        {
            foreach (var (node, member) in input.Members)
            {
                if (merged.MemberOf(node) is { } after)
                {
                    Assert.True(MemberLifecycle.CanReach(member.Status, after.Status), $"{member.Status} -> {after.Status}");
                }
                else
                {
                    Assert.True(merged.IsTombstoned(node));
                }
            }

            Assert.All(input.Tombstones.Keys, node => Assert.False(merged.HasMember(node)));
            Assert.NotEqual(VersionOrder.After, input.Version.Compare(merged.Version));
            Assert.NotEqual(VersionOrder.Concurrent, input.Version.Compare(merged.Version));
        }
    });

    [Fact]
    public void Merge_SameVersion_UnitesSeenSets()
    {
        var a = Gossip.Empty.WithMember(new Member(Nodes[0], MemberStatus.Up, [], 1)).ChangedBy(Nodes[0]);
        var b = a.Seen(Nodes[1]);
        var c = a.Seen(Nodes[2]);

        Assert.Equal([Nodes[0], Nodes[1], Nodes[2]], b.Merge(c).SeenBy);
    }

    [Fact]
    public void Merge_ConcurrentVersions_SeenByNobody()
    {
        var root = Gossip.Empty.WithMember(new Member(Nodes[0], MemberStatus.Up, [], 1)).ChangedBy(Nodes[0]);
        var left = root.WithMember(new Member(Nodes[1], MemberStatus.Joining, [])).ChangedBy(Nodes[0]);
        var right = root.WithMember(new Member(Nodes[1], MemberStatus.Joining, [])).WithMember(new Member(Nodes[2], MemberStatus.Joining, [])).ChangedBy(Nodes[1]);

        var merged = left.Merge(right);

        Assert.Equal(VersionOrder.Concurrent, left.Version.Compare(right.Version));
        Assert.Empty(merged.SeenBy);
        Assert.Equal(3, merged.Members.Count);
    }

    private static void ForAll(int seed, int arity, Action<Gossip[]> property)
    {
        var random = new Random(seed);
        for (var i = 0; i < Cases; i++)
        {
            var inputs = Enumerable.Range(0, arity).Select(_ => RandomGossip(random)).ToArray();
            try
            {
                property(inputs);
            }
            catch (Exception failure)
            {
                throw new Xunit.Sdk.XunitException(
                    $"Property failed for seed {seed}, case {i}:{Environment.NewLine}{string.Join(Environment.NewLine, inputs.Select(g => g.ToString()))}{Environment.NewLine}{failure.Message}");
            }
        }
    }

    private static Gossip RandomGossip(Random random)
    {
        var members = ImmutableSortedDictionary.CreateBuilder<UniqueAddress, Member>();
        var tombstones = ImmutableSortedDictionary.CreateBuilder<UniqueAddress, DateTimeOffset>();
        var reachability = Reachability.Empty;
        var version = new Dictionary<UniqueAddress, long>();
        var seen = ImmutableSortedSet.CreateBuilder<UniqueAddress>();
        string[] roles = ["worker", "front", "lighthouse"];
        foreach (var node in Nodes)
        {
            switch (random.Next(6))
            {
                case 0:
                    break;
                case 1:
                    tombstones[node] = T0.AddSeconds(random.Next(3));
                    break;
                default:
                    var status = (MemberStatus)random.Next(1, 6);
                    var up = status == MemberStatus.Joining ? 0 : random.Next(0, 4);
                    // A route is fixed per incarnation, so views differ at most by one being empty (an older node's);
                    // a third value checks that the merge is a join even beyond that.
                    string[] routes = ["", $"n{node.Address.Port}", $"m{node.Address.Port}"];
                    members[node] = new Member(node, status, roles.Where(_ => random.Next(3) == 0), up, routes[random.Next(routes.Length)]);
                    break;
            }

            if (random.Next(3) == 0)
            {
                version[node] = random.Next(1, 4);
            }

            if (random.Next(3) == 0)
            {
                seen.Add(node);
            }

            for (var marks = random.Next(3); marks > 0; marks--)
            {
                var subject = Nodes[random.Next(Nodes.Length)];
                reachability = random.Next(3) switch
                {
                    0 => reachability.MarkUnreachable(node, subject),
                    1 => reachability.MarkUnreachable(node, subject, refused: true),
                    _ => reachability.MarkReachable(node, subject),
                };
            }
        }

        return new Gossip(members.ToImmutable(), tombstones.ToImmutable(), reachability, GossipVersion.Of(version), seen.ToImmutable());
    }
}
