using SessionCluster.Actors.Remoting;
using SessionCluster.Actors.Sharding;

namespace SessionCluster.Actors.Tests.Sharding;

/// <summary>The strategy on plain data: regions are hosts "a", "b", ... on one port; shards are ranges of ids.</summary>
public sealed class LeastShardAllocationStrategyTests
{
    private static readonly IReadOnlySet<int> None = new HashSet<int>();

    [Fact]
    public void Allocate_NoRegions_ReturnsNull() =>
        Assert.Null(new LeastShardAllocationStrategy(20, 0.1).Allocate([]));

    [Fact]
    public void Allocate_OnlyDrainingRegions_ReturnsNull() =>
        Assert.Null(new LeastShardAllocationStrategy(20, 0.1).Allocate([Region("a", 0, 0, 1), Region("b", 0)]));

    [Fact]
    public void Allocate_EqualWeights_PicksFewestShardsLowestAddressOnTie()
    {
        var strategy = new LeastShardAllocationStrategy(20, 0.1);
        Assert.Equal(Node("b"), strategy.Allocate([Region("a", 1, 0, 1), Region("c", 1, 2), Region("b", 1, 3)]));
        Assert.Equal(Node("c"), strategy.Allocate([Region("a", 1, 0, 1), Region("c", 1), Region("b", 1, 3)]));
        Assert.Equal(Node("a"), strategy.Allocate([Region("b", 1), Region("a", 1)]));
    }

    [Fact]
    public void Allocate_UnequalWeights_PicksFurthestBelowShare()
    {
        var strategy = new LeastShardAllocationStrategy(20, 0.1);
        Assert.Equal(Node("b"), strategy.Allocate([Region("a", 1), Region("b", 2)])); // shares of 1: 0.33, 0.67
        Assert.Equal(Node("b"), strategy.Allocate([Region("a", 1, 0, 1), Region("b", 3, 2, 3, 4, 5)])); // of 7: 1.75, 5.25
        Assert.Equal(Node("a"), strategy.Allocate([Region("a", 1, 0), Region("b", 3, 1, 2, 3, 4, 5, 6)])); // of 8: 2, 6
        Assert.Equal(Node("b"), strategy.Allocate([Region("a", 0), Region("b", 0.5, 0, 1, 2)])); // weight 0 takes none

        // Weights 7:1:1:1:1:1:1:1 and a holds 1 of 2: a's share is exactly 1, so the second shard goes elsewhere
        // ("lowest (count + 1) / weight" would give a 2, above its range, for rebalancing to take back).
        Assert.Equal(Node("b"), strategy.Allocate([Region("a", 7, 0), .. "bcdefgh".Select(host => Region($"{host}", 1))]));
    }

    [Fact]
    public void Allocate_OneByOneFromEmpty_Weights121_EndsAt25_50_25AndNeedsNoRebalance()
    {
        var strategy = new LeastShardAllocationStrategy(20, 0.1);
        var cluster = new Cluster(("a", 1), ("b", 2), ("c", 1));
        for (var shard = 0; shard < 100; shard++)
        {
            var home = strategy.Allocate(cluster.Loads());
            Assert.NotNull(home);
            cluster.Add(home, shard);
            AssertWithinQuotas(cluster.Loads(), $"after allocating shard {shard}");
        }

        Assert.Equal([25, 50, 25], cluster.Counts());
        Assert.Empty(strategy.Rebalance(cluster.Loads(), None));
    }

    [Fact]
    public void Quotas_Weights121Over100_Are25_50_25Exactly()
    {
        var quotas = LeastShardAllocationStrategy.Quotas([Region("c", 1, Range(75, 25)), Region("a", 1, Range(0, 100 - 25)), Region("b", 2)]);
        Assert.Equal([Node("a"), Node("b"), Node("c")], quotas.Select(quota => quota.Region));
        Assert.Equal([25.0, 50.0, 25.0], quotas.Select(quota => quota.Share));
        Assert.Equal([25, 50, 25], quotas.Select(quota => quota.Min));
        Assert.Equal([25, 50, 25], quotas.Select(quota => quota.Max));
    }

    [Fact]
    public void Quotas_DecimalWeights_NoRoundingNoise()
    {
        // 100 × 0.6 / (0.1 + 0.1 + 0.6) comes out as 74.99999999999999 in doubles; c's quota must still be exactly 75.
        var quotas = LeastShardAllocationStrategy.Quotas([Region("a", 0.1, Range(0, 100)), Region("b", 0.1), Region("c", 0.6)]);
        Assert.Equal([(12, 13), (12, 13), (75, 75)], quotas.Select(quota => (quota.Min, quota.Max)));
    }

    [Fact]
    public void Quotas_EqualWeightsNotDividing_RangeIsFloorToCeiling()
    {
        var quotas = LeastShardAllocationStrategy.Quotas([Region("a", 1, Range(0, 100)), Region("b", 1), Region("c", 1)]);
        Assert.All(quotas, quota => Assert.Equal((33, 34), (quota.Min, quota.Max)));
    }

    [Fact]
    public void Rebalance_Weights121FromOneRegion_ReachesQuotas()
    {
        var strategy = new LeastShardAllocationStrategy(20, 0.1);
        var cluster = new Cluster(("a", 1), ("b", 2), ("c", 1));
        cluster.Add(Node("a"), Range(0, 100));

        var rounds = RunToBalance(strategy, cluster);

        Assert.Equal([25, 50, 25], cluster.Counts());
        Assert.Equal([10, 10, 10, 10, 10, 10, 10, 5], rounds);
    }

    [Fact]
    public void Rebalance_FourthNodeJoinsBalancedThree_ReceivesShardsWithinLimitUntilBalanced()
    {
        var strategy = new LeastShardAllocationStrategy(20, 0.1); // 0.1 × 100 = 10 per round
        var cluster = new Cluster(("a", 1), ("b", 1), ("c", 1), ("d", 1));
        cluster.Add(Node("a"), Range(0, 34));
        cluster.Add(Node("b"), Range(34, 33));
        cluster.Add(Node("c"), Range(67, 33));
        Assert.Empty(strategy.Rebalance(new Cluster(("a", 1), ("b", 1), ("c", 1)).With(cluster).Loads(), None));

        var rounds = new List<int>();
        while (strategy.Rebalance(cluster.Loads(), None) is { Count: > 0 } moves)
        {
            Assert.True(moves.Count <= 10, $"round {rounds.Count + 1}: {moves.Count} moves, limit 10");
            Assert.All(moves, move => Assert.Equal(Node("d"), move.To));
            cluster.Apply(moves);
            rounds.Add(moves.Count);
        }

        Assert.Equal([10, 10, 5], rounds);
        Assert.Equal([25, 25, 25, 25], cluster.Counts());
    }

    [Fact]
    public void Rebalance_NodeLeaving_IsEmptiedFirstThenBalanceRestored()
    {
        var strategy = new LeastShardAllocationStrategy(5, 1);
        var cluster = new Cluster(("a", 1), ("b", 1), ("c", 0));
        cluster.Add(Node("a"), Range(0, 40));
        cluster.Add(Node("b"), Range(40, 10));
        cluster.Add(Node("c"), Range(50, 7));

        var first = strategy.Rebalance(cluster.Loads(), None);
        Assert.Equal(Enumerable.Range(50, 5).Select(shard => new ShardMove(shard, Node("c"), Node("b"))), first);
        cluster.Apply(first);

        var second = strategy.Rebalance(cluster.Loads(), None);
        Assert.Equal([Node("c"), Node("c"), Node("a"), Node("a"), Node("a")], second.Select(move => move.From));
        cluster.Apply(second);

        RunToBalance(strategy, cluster);
        Assert.Equal([29, 28, 0], cluster.Counts()); // 57 shards, 28.5 each: a stops giving once it is down to 29
    }

    [Fact]
    public void Rebalance_MovesFirstTheShardsTheSinkAlreadyBacksUp_ThenTheLowestIds()
    {
        var strategy = new LeastShardAllocationStrategy(10, 1);
        var loads = new[] { Region("a", 1, Range(0, 10)), Region("b", 1, Range(10, 4)) };
        // b keeps whole copies of shards 7 and 3 of a's, and of one of its own (a copy on the home's node is never asked about).
        var held = new HashSet<(int, NodeAddress)> { (7, Node("b")), (3, Node("b")), (12, Node("a")) };

        var moves = strategy.Rebalance(loads, None, (shard, region) => held.Contains((shard, region)));

        Assert.Equal([3, 7, 0], moves.Select(move => move.Shard));
        Assert.All(moves, move => Assert.Equal((Node("a"), Node("b")), (move.From, move.To)));
        Assert.Equal([0, 1, 2], strategy.Rebalance(loads, None).Select(move => move.Shard));
        Assert.Equal([0, 1, 2], strategy.Rebalance(loads, None, (_, _) => false).Select(move => move.Shard));
    }

    [Fact]
    public void Rebalance_InProgress_CountsTowardLimitAndIsNeverMoved()
    {
        var strategy = new LeastShardAllocationStrategy(10, 1);
        var loads = new[] { Region("a", 1, Range(0, 50)), Region("b", 1, Range(50, 50)), Region("c", 1) };
        var inProgress = new HashSet<int> { 0, 1, 2 };

        var moves = strategy.Rebalance(loads, inProgress);

        Assert.Equal(7, moves.Count);
        Assert.All(moves, move => Assert.DoesNotContain(move.Shard, inProgress));
        Assert.All(moves, move => Assert.Equal(Node("c"), move.To));
        var fromA = moves.Where(move => move.From == Node("a")).Select(move => move.Shard).ToList();
        Assert.Equal(Enumerable.Range(3, fromA.Count), fromA); // lowest ids not in progress
    }

    [Fact]
    public void Rebalance_InProgressFillsLimit_ReturnsNothing()
    {
        var strategy = new LeastShardAllocationStrategy(3, 1);
        var loads = new[] { Region("a", 1, Range(0, 50)), Region("b", 1) };
        Assert.Empty(strategy.Rebalance(loads, new HashSet<int> { 0, 1, 2 }));
        Assert.Single(strategy.Rebalance(loads, new HashSet<int> { 0, 1 }));
    }

    [Fact]
    public void Rebalance_ShardsStillInFlight_AreNotCountedTwiceAtTheirSource()
    {
        var strategy = new LeastShardAllocationStrategy(20, 1);
        var loads = new[] { Region("a", 1, Range(0, 60)), Region("b", 1, Range(60, 40)) };
        var first = strategy.Rebalance(loads, None);
        Assert.Equal(10, first.Count);

        // The ten are still listed under a while they move; a must not give ten more and fall to 40.
        Assert.Empty(strategy.Rebalance(loads, first.Select(move => move.Shard).ToHashSet()));
    }

    [Fact]
    public void Rebalance_ShardsStillInFlight_AreCountedAsArrivingAtTheSink()
    {
        var loads = new[] { Region("a", 1, Range(0, 54)), Region("b", 1, Range(54, 13)), Region("c", 1, Range(67, 33)) }; // 33..34 each
        var first = new LeastShardAllocationStrategy(20, 1).Rebalance(loads, None);
        Assert.Equal(20, first.Count);
        Assert.All(first, move => Assert.Equal((Node("a"), Node("b")), (move.From, move.To)));

        // b still shows 13 while twenty are on their way to it; a, at 34 once they leave, must not give it one more.
        Assert.Empty(new LeastShardAllocationStrategy(100, 1).Rebalance(loads, first.Select(move => move.Shard).ToHashSet()));
    }

    [Theory]
    [InlineData(20, 0.1, 100, 10)]
    [InlineData(5, 0.1, 100, 5)] // the absolute limit is smaller
    [InlineData(50, 0.05, 100, 5)] // the relative limit is smaller
    [InlineData(50, 0.29, 100, 29)] // 0.29 × 100 is 28.999999999999996 in doubles
    [InlineData(20, 0.1, 5, 1)] // at least one
    [InlineData(20, 0.1, 0, 1)]
    [InlineData(3, 1, 100, 3)]
    public void MovesPerRound_SmallerLimitWinsAtLeastOne(int absolute, double relative, int total, int expected) =>
        Assert.Equal(expected, new LeastShardAllocationStrategy(absolute, relative).MovesPerRound(total));

    [Theory]
    [InlineData(3, 0.5, 3)]
    [InlineData(100, 0.05, 5)]
    public void Rebalance_RoundSize_IsTheSmallerLimit(int absolute, double relative, int expected)
    {
        var loads = new[] { Region("a", 1, Range(0, 50)), Region("b", 1, Range(50, 50)), Region("c", 1) };
        Assert.Equal(expected, new LeastShardAllocationStrategy(absolute, relative).Rebalance(loads, None).Count);
    }

    [Theory]
    [InlineData(1, 34, 1, 33, 1, 33)]
    [InlineData(1, 33, 1, 34, 1, 33)]
    [InlineData(1, 33, 1, 33, 1, 34)]
    [InlineData(1, 4, 2, 6, 0, 0)] // shares 3.33 and 6.67
    [InlineData(1, 3, 2, 7, 0, 0)]
    [InlineData(1, 25, 2, 50, 1, 25)]
    public void Rebalance_Balanced_NoMoves(double wa, int na, double wb, int nb, double wc, int nc)
    {
        var loads = new[] { Region("a", wa, Range(0, na)), Region("b", wb, Range(na, nb)), Region("c", wc, Range(na + nb, nc)) };
        Assert.Empty(new LeastShardAllocationStrategy(20, 0.1).Rebalance(loads, None));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void SameInputAnyOrder_SameDecisions(int seed)
    {
        var random = new Random(seed);
        var strategy = new LeastShardAllocationStrategy(15, 0.5);
        var loads = new[]
        {
            Region("a", 1, Range(0, 5)), Region("b", 2, Range(5, 40)), Region("c", 0, Range(45, 8)),
            Region("d", 1.5, Range(53, 1)), Region("e", 1),
        };
        var inProgress = new HashSet<int> { 6, 46 };
        var expected = strategy.Rebalance(loads, inProgress);
        Assert.NotEmpty(expected);

        for (var i = 0; i < 20; i++)
        {
            var shuffled = loads.OrderBy(_ => random.Next())
                .Select(load => load with { Shards = load.Shards.OrderBy(_ => random.Next()).ToHashSet() })
                .ToArray();
            Assert.Equal(expected, strategy.Rebalance(shuffled, inProgress.OrderBy(_ => random.Next()).ToHashSet()));
            Assert.Equal(strategy.Allocate(loads), strategy.Allocate(shuffled));
            Assert.Equal(LeastShardAllocationStrategy.Quotas(loads), LeastShardAllocationStrategy.Quotas(shuffled));
        }
    }

    /// <summary>From random starts: rounds converge within ⌈T / limit⌉ (tighter than the ⌈T / limit⌉ + regions asked
    /// for: no shard moves twice), every round within the limit, no move
    /// into a region at or above its maximum or out of one at or below its minimum, each shard moved at most once, and
    /// at the end every region within its quota (equal weights: max − min ≤ 1).</summary>
    [Fact]
    public void Rebalance_RandomClusters_ConvergeWithoutWastedMoves()
    {
        for (var seed = 1; seed <= 500; seed++)
        {
            var random = new Random(seed);
            var (cluster, strategy, total) = RandomCluster(random);
            var limit = strategy.MovesPerRound(total);
            var bound = (total + limit - 1) / limit;
            var quotas = LeastShardAllocationStrategy.Quotas(cluster.Loads()).ToDictionary(quota => quota.Region);
            var moved = new HashSet<int>();
            var rounds = 0;
            while (strategy.Rebalance(cluster.Loads(), None) is { Count: > 0 } moves)
            {
                rounds++;
                Assert.True(rounds <= bound, $"seed {seed}: still moving in round {rounds}, bound {bound}");
                Assert.True(moves.Count <= limit, $"seed {seed} round {rounds}: {moves.Count} moves, limit {limit}");
                foreach (var move in moves)
                {
                    Assert.True(moved.Add(move.Shard), $"seed {seed} round {rounds}: shard {move.Shard} moved a second time");
                    Assert.True(cluster.Count(move.From) > quotas[move.From].Min, $"seed {seed} round {rounds}: {move} takes {move.From} below {quotas[move.From]}");
                    Assert.True(cluster.Count(move.To) < quotas[move.To].Max, $"seed {seed} round {rounds}: {move} takes {move.To} above {quotas[move.To]}");
                    cluster.Apply([move]);
                }
            }

            AssertWithinQuotas(cluster.Loads(), $"seed {seed} after {rounds} rounds");
            var positive = cluster.Loads().Where(load => load.Weight > 0).ToList();
            if (positive.Select(load => load.Weight).Distinct().Count() == 1)
            {
                Assert.True(positive.Max(load => load.Shards.Count) - positive.Min(load => load.Shards.Count) <= 1, $"seed {seed}: equal weights, counts {string.Join(' ', cluster.Counts())}");
            }
        }
    }

    /// <summary>As the coordinator runs it: a round's moves are still in flight during the next round, and land after
    /// it. Still converges, never moves a shard in flight, and never has more than the limit in flight.</summary>
    [Fact]
    public void Rebalance_RandomClustersMovesLandOneRoundLate_Converge()
    {
        for (var seed = 1; seed <= 500; seed++)
        {
            var random = new Random(seed);
            var (cluster, strategy, total) = RandomCluster(random);
            var limit = strategy.MovesPerRound(total);
            var bound = (2 * (((total + limit - 1) / limit) + cluster.Size)) + 1;
            IReadOnlyList<ShardMove> inFlight = [];
            var rounds = 0;
            var movesInAll = 0;
            while (true)
            {
                var moves = strategy.Rebalance(cluster.Loads(), inFlight.Select(move => move.Shard).ToHashSet());
                if (moves.Count == 0 && inFlight.Count == 0)
                {
                    break;
                }

                rounds++;
                movesInAll += moves.Count;
                Assert.True(rounds <= bound, $"seed {seed}: still moving in round {rounds}, bound {bound}");
                Assert.True(moves.Count + inFlight.Count <= limit, $"seed {seed} round {rounds}: {moves.Count} + {inFlight.Count} in flight, limit {limit}");
                Assert.DoesNotContain(moves, move => inFlight.Any(flying => flying.Shard == move.Shard));
                cluster.Apply(inFlight);
                inFlight = moves;
            }

            Assert.True(movesInAll <= total, $"seed {seed}: {movesInAll} moves for {total} shards");
            AssertWithinQuotas(cluster.Loads(), $"seed {seed} after {rounds} rounds");
        }
    }

    [Theory]
    [InlineData(0, 0.1)]
    [InlineData(-1, 0.1)]
    [InlineData(1, 0)]
    [InlineData(1, -0.1)]
    [InlineData(1, 1.01)]
    [InlineData(1, double.NaN)]
    public void Constructor_LimitOutOfRange_Throws(int absolute, double relative) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new LeastShardAllocationStrategy(absolute, relative));

    [Theory]
    [InlineData(-1)]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    public void Rebalance_BadWeight_ThrowsNamingRegion(double weight)
    {
        var error = Assert.Throws<ArgumentException>(() =>
            new LeastShardAllocationStrategy(20, 0.1).Rebalance([Region("a", 1, 0), Region("b", weight)], None));
        Assert.Contains("b:4053", error.Message, StringComparison.Ordinal);
        Assert.Contains("weight", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Rebalance_ShardUnderTwoRegions_ThrowsNamingBoth()
    {
        var error = Assert.Throws<ArgumentException>(() =>
            new LeastShardAllocationStrategy(20, 0.1).Rebalance([Region("b", 1, 1, 7), Region("a", 1, 7)], None));
        Assert.Contains("Shard 7 is listed under both a:4053 and b:4053", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Rebalance_InProgressShardNotHeld_Throws()
    {
        var error = Assert.Throws<ArgumentException>(() =>
            new LeastShardAllocationStrategy(20, 0.1).Rebalance([Region("a", 1, 0, 1)], new HashSet<int> { 1, 9 }));
        Assert.Contains("Shard 9 is in progress, but no region holds it", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Allocate_RegionListedTwiceOrNegativeShard_Throws()
    {
        var strategy = new LeastShardAllocationStrategy(20, 0.1);
        Assert.Contains("listed twice", Assert.Throws<ArgumentException>(() => strategy.Allocate([Region("a", 1), Region("a", 2)])).Message, StringComparison.Ordinal);
        Assert.Contains("shard -1", Assert.Throws<ArgumentException>(() => strategy.Allocate([Region("a", 1, -1)])).Message, StringComparison.Ordinal);
    }

    private static List<int> RunToBalance(LeastShardAllocationStrategy strategy, Cluster cluster)
    {
        var rounds = new List<int>();
        while (strategy.Rebalance(cluster.Loads(), None) is { Count: > 0 } moves)
        {
            Assert.True(rounds.Count < 1000, "no convergence after 1000 rounds");
            cluster.Apply(moves);
            rounds.Add(moves.Count);
        }

        return rounds;
    }

    private static void AssertWithinQuotas(IReadOnlyList<RegionLoad> loads, string when)
    {
        foreach (var quota in LeastShardAllocationStrategy.Quotas(loads))
        {
            var count = loads.Single(load => load.Region == quota.Region).Shards.Count;
            Assert.True(count >= quota.Min && count <= quota.Max, $"{when}: {quota.Region} holds {count}, quota {quota}");
        }
    }

    private static (Cluster Cluster, LeastShardAllocationStrategy Strategy, int Total) RandomCluster(Random random)
    {
        double[] weights = [0, 0.5, 1, 1, 1, 2, 3];
        var size = random.Next(1, 7);
        var regions = Enumerable.Range(0, size)
            .Select(index => ($"{(char)('a' + index)}", random.Next(3) == 0 ? random.NextDouble() * 4 : weights[random.Next(weights.Length)]))
            .ToArray();
        if (regions.All(region => region.Item2 == 0))
        {
            regions[random.Next(size)].Item2 = 1;
        }

        var cluster = new Cluster(regions);
        var total = random.Next(0, 301);
        var skew = random.Next(1, 4);
        for (var shard = 0; shard < total; shard++)
        {
            var index = (int)(size * Math.Pow(random.NextDouble(), skew)); // skew > 1 piles shards on the first regions
            cluster.Add(Node(regions[index].Item1), shard);
        }

        return (cluster, new LeastShardAllocationStrategy(random.Next(1, 31), random.Next(1, 101) / 100.0), total);
    }

    private static NodeAddress Node(string host) => new(host, 4053);

    private static RegionLoad Region(string host, double weight, params IEnumerable<int> shards) => new(Node(host), weight, shards.ToHashSet());

    private static IEnumerable<int> Range(int start, int count) => Enumerable.Range(start, count);

    /// <summary>Regions, their weights and their shards, with moves applied as the coordinator would.</summary>
    private sealed class Cluster
    {
        private readonly SortedDictionary<NodeAddress, (double Weight, SortedSet<int> Shards)> regions = [];

        public Cluster(params (string Host, double Weight)[] regions)
        {
            foreach (var (host, weight) in regions)
            {
                this.regions.Add(Node(host), (weight, []));
            }
        }

        public int Size => regions.Count;

        public void Add(NodeAddress region, params IEnumerable<int> shards) => regions[region].Shards.UnionWith(shards);

        /// <summary>Copies the shards of the regions this cluster also has.</summary>
        public Cluster With(Cluster other)
        {
            foreach (var (region, entry) in regions)
            {
                entry.Shards.UnionWith(other.regions[region].Shards);
            }

            return this;
        }

        public void Apply(IEnumerable<ShardMove> moves)
        {
            foreach (var move in moves)
            {
                Assert.True(regions[move.From].Shards.Remove(move.Shard), $"{move}: {move.From} does not hold shard {move.Shard}");
                Assert.True(regions[move.To].Shards.Add(move.Shard), $"{move}: {move.To} already holds shard {move.Shard}");
            }
        }

        public int Count(NodeAddress region) => regions[region].Shards.Count;

        public List<int> Counts() => [.. regions.Values.Select(entry => entry.Shards.Count)];

        public List<RegionLoad> Loads() =>
            [.. regions.Select(pair => new RegionLoad(pair.Key, pair.Value.Weight, new HashSet<int>(pair.Value.Shards)))];
    }
}
