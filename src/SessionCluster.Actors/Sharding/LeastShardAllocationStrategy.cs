using System.Diagnostics;
using SessionCluster.Actors.Remoting;

namespace SessionCluster.Actors.Sharding;

/// <summary>Decides where shards live: a new shard goes to the region furthest below its weighted fair share, and
/// each rebalance round moves a bounded number of shards from regions above their share to regions below it.</summary>
/// <remarks>
/// <para><b>Design notes.</b> Pure functions on plain data: no clock, no randomness, no state between calls. The same
/// regions (in any order) and the same in-progress set give the same answer on every node, every time. Ties are
/// broken by <see cref="NodeAddress"/> order (lowest first), then by shard id (lowest first).</para>
/// <para><b>Fair share.</b> With T shards held in all and capacity weights w (mod_jk's lbfactor), region i's share is
/// s_i = T·w_i/Σw shards, usually fractional. A region is <i>balanced</i> when it holds between ⌊s_i⌋ and ⌈s_i⌉
/// shards (<see cref="ShardQuota"/>); the cluster is balanced when every region is. With equal weights that is exactly
/// "max − min ≤ 1". A weight-0 region's share is 0, so it must be emptied: that is how a node drains before leaving.
/// Shares are rounded to 6 decimals before ⌊⌋ and ⌈⌉, so weights 0.1 : 0.2 : 0.1 over 100 shards give exactly
/// 25 / 50 / 25 rather than 24.999999999999996.</para>
/// <para>Why a range and not one integer target per region (largest-remainder rounding): the remainder would go to
/// the lowest addresses, so 34 / 33 / 33 shards on three equal nodes would be "unbalanced" if the 34 sat on the wrong
/// node, and a shard — with all its sessions — would be handed off for nothing. With the range, any spread an
/// operator would call fair is left alone. The ranges always admit a balanced assignment (Σ⌊s_i⌋ ≤ T ≤ Σ⌈s_i⌉).</para>
/// <para><b>Allocation</b> of a new shard picks, among regions of weight &gt; 0, the one whose count is furthest below
/// its share of T + 1 (largest s_i − count); with equal weights that is the region with the fewest shards. The chosen
/// region is below its share, so an allocation never pushes a region above its range (which the simpler "lowest
/// (count + 1) / weight" rule can do with unequal weights, only for rebalancing to move the shard again).</para>
/// <para><b>Rebalancing</b> repeats one step until a step would not help or the round's limit is reached. Source: a
/// region of weight 0 that still holds shards if there is one (draining comes first), else the region furthest above
/// its share (largest count − s_i). Sink: the region of weight &gt; 0 furthest below its share. The step is taken only
/// if it mends an imbalance without making one: the source holds more than ⌈s⌉ and the sink fewer than ⌈s⌉, or the
/// source holds more than ⌊s⌋ and the sink fewer than ⌊s⌋. The shard moved is, among the source's shards not in
/// progress, the lowest id of which the sink already keeps a whole backup copy, if the caller says which those are
/// (the hand-off then crosses the network as fingerprints, and the old home keeps its copy as the shard's backup: the
/// move costs no copy at all), else the lowest id. Each step shrinks the total distance of the counts from their ranges, and a balanced cluster has
/// no step to take, so repeated rounds reach balance and then return nothing: no oscillation. Moreover a region
/// that receives a shard never gives one later (it is filled only up to its range), so when each round's moves
/// complete before the next, no shard moves twice and balance is reached within ⌈T / limit⌉ rounds.</para>
/// <para><b>Limits.</b> A round may have at most min(absoluteLimit, max(1, ⌊relativeLimit·T⌋)) shards moving,
/// including those already in progress; if the in-progress shards fill that, the round is empty.</para>
/// <para><b>Shards in progress</b> are still listed under the region they are leaving. They are never moved again,
/// and the strategy counts each one as gone from its holder and as arriving, one by one, at the region then furthest
/// below its share — where a previous round would have sent it. Counted at their old home, the source would look
/// overloaded and give them a second time; not counted at the sink, it would look short and be sent one too many.</para>
/// <para><b>Input errors</b> (a negative, NaN or infinite weight, a region listed twice, a negative shard id, a shard
/// under two regions, a shard in progress that no region holds) throw <see cref="ArgumentException"/> naming it.</para>
/// </remarks>
public sealed class LeastShardAllocationStrategy
{
    // Shares are rounded to this many decimals: far finer than one shard for any shard count we allow (≤ 65,536),
    // far coarser than double's rounding noise.
    private const int ShareDecimals = 6;

    /// <summary>Creates the strategy with its per-round limits on moving shards; the smaller limit wins.</summary>
    /// <param name="absoluteLimit">Most shards moving at once, at least 1.</param>
    /// <param name="relativeLimit">Most shards moving at once as a fraction of all shards, in (0, 1]; at least one
    /// shard may always move.</param>
    public LeastShardAllocationStrategy(int absoluteLimit, double relativeLimit)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(absoluteLimit, 1);
        if (!(relativeLimit > 0 && relativeLimit <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(relativeLimit), relativeLimit,
                "The relative rebalance limit is the fraction of all shards that may move at once: more than 0 and at most 1.");
        }

        AbsoluteLimit = absoluteLimit;
        RelativeLimit = relativeLimit;
    }

    /// <summary>Most shards moving at once.</summary>
    public int AbsoluteLimit { get; }

    /// <summary>Most shards moving at once, as a fraction of all shards.</summary>
    public double RelativeLimit { get; }

    /// <summary>How many shards may be moving at once (in progress included) when <paramref name="totalShards"/> are
    /// held in all: min(absolute, max(1, ⌊relative × total⌋)), so 0.29 × 100 is 29 despite rounding noise.</summary>
    public int MovesPerRound(int totalShards)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(totalShards);
        var relative = (int)Math.Floor(Math.Round(RelativeLimit * totalShards, ShareDecimals));
        return Math.Min(AbsoluteLimit, Math.Max(1, relative));
    }

    /// <summary>Each region's fair share of the shards it and the others hold, and the range counted as balanced;
    /// ordered by address. If no region has weight &gt; 0 every quota is 0.</summary>
    public static IReadOnlyList<ShardQuota> Quotas(IReadOnlyList<RegionLoad> regions) =>
        [.. Prepare(regions, extraShards: 0, out _).Select(slot => new ShardQuota(slot.Address, slot.Share, slot.Min, slot.Max))];

    /// <summary>The region for a shard that has no home: among regions of weight &gt; 0, the one furthest below its
    /// share of all shards plus this one; lowest address on a tie. Null when no region takes shards.</summary>
    public NodeAddress? Allocate(IReadOnlyList<RegionLoad> regions)
    {
        var slots = Prepare(regions, extraShards: 1, out _);
        return MostBelowShare(slots)?.Address;
    }

    /// <summary>The moves for one rebalance round, in the order chosen (drains first); empty when balanced, when no
    /// region can take shards, or when <paramref name="inProgress"/> already fills the limit.</summary>
    /// <param name="regions">Every shard-hosting region, with the shards it holds now.</param>
    /// <param name="inProgress">Shards being moved by earlier rounds, still listed under the region they leave.</param>
    /// <param name="heldWholeAt">True if the region keeps a whole backup copy of the shard: such shards move there first.
    /// Null: the lowest shard ids move first.</param>
    public IReadOnlyList<ShardMove> Rebalance(
        IReadOnlyList<RegionLoad> regions,
        IReadOnlySet<int> inProgress,
        Func<int, NodeAddress, bool>? heldWholeAt = null)
    {
        ArgumentNullException.ThrowIfNull(inProgress);
        var slots = Prepare(regions, extraShards: 0, out var holders);
        var moving = new SortedSet<int>(inProgress);
        foreach (var shard in moving)
        {
            if (!holders.ContainsKey(shard))
            {
                throw new ArgumentException($"Shard {shard} is in progress, but no region holds it; list it under the region it is leaving.", nameof(inProgress));
            }
        }

        var budget = MovesPerRound(holders.Count) - moving.Count;
        if (budget <= 0)
        {
            return [];
        }

        // The shards in flight leave their holders and land where a previous round would have sent them.
        foreach (var shard in moving)
        {
            holders[shard].Count--;
        }

        for (var i = 0; i < moving.Count && MostBelowShare(slots) is { } landing; i++)
        {
            landing.Count++;
        }

        foreach (var slot in slots)
        {
            slot.Movable = [.. slot.Shards.Where(shard => !moving.Contains(shard))];
        }

        var moves = new List<ShardMove>();
        while (moves.Count < budget)
        {
            var source = MostAboveShare(slots);
            var sink = MostBelowShare(slots);
            if (source is null || sink is null || !Mends(source, sink))
            {
                break;
            }

            var pick = heldWholeAt is null ? 0 : Math.Max(0, source.Movable.FindIndex(shard => heldWholeAt(shard, sink.Address)));
            var shard = source.Movable[pick];
            source.Movable.RemoveAt(pick);
            source.Count--;
            sink.Count++;
            moves.Add(new ShardMove(shard, source.Address, sink.Address));
        }

        return moves;
    }

    /// <summary>True if moving one shard from <paramref name="source"/> to <paramref name="sink"/> brings a region
    /// into its range and takes neither out of it.</summary>
    private static bool Mends(Slot source, Slot sink) =>
        !ReferenceEquals(source, sink) &&
        ((source.Count > source.Max && sink.Count < sink.Max) || (source.Count > source.Min && sink.Count < sink.Min));

    /// <summary>The region of weight &gt; 0 with the lowest count − share; slots are in address order, so the strict
    /// comparison keeps the lowest address on a tie.</summary>
    private static Slot? MostBelowShare(Slot[] slots)
    {
        Slot? best = null;
        foreach (var slot in slots)
        {
            if (slot.Weight > 0 && (best is null || slot.Excess < best.Excess))
            {
                best = slot;
            }
        }

        return best;
    }

    /// <summary>The region with a shard it may give: weight-0 regions first, then the highest count − share; lowest
    /// address on a tie.</summary>
    private static Slot? MostAboveShare(Slot[] slots)
    {
        Slot? best = null;
        foreach (var slot in slots)
        {
            if (slot.Movable.Count == 0)
            {
                continue;
            }

            var better = best is null ||
                (slot.Draining && !best.Draining) ||
                (slot.Draining == best.Draining && slot.Excess > best.Excess);
            if (better)
            {
                best = slot;
            }
        }

        return best;
    }

    /// <summary>Validates the regions and returns them in address order with their shares of the shards they hold
    /// plus <paramref name="extraShards"/>; <paramref name="holders"/> maps each held shard to its region.</summary>
    private static Slot[] Prepare(IReadOnlyList<RegionLoad> regions, int extraShards, out Dictionary<int, Slot> holders)
    {
        ArgumentNullException.ThrowIfNull(regions);
        var slots = new Slot[regions.Count];
        for (var i = 0; i < regions.Count; i++)
        {
            var region = regions[i];
            if (region?.Region is null || region.Shards is null)
            {
                throw new ArgumentException($"Region entry {i} is null or lacks an address or a shard set.", nameof(regions));
            }

            if (!double.IsFinite(region.Weight) || region.Weight < 0)
            {
                throw new ArgumentException(
                    $"Region {region.Region} has weight {region.Weight}; a weight must be a finite number of at least 0 (0 drains the region).",
                    nameof(regions));
            }

            slots[i] = new Slot(region.Region, region.Weight, [.. region.Shards.Order()]);
        }

        Array.Sort(slots, (a, b) => a.Address.CompareTo(b.Address));
        holders = [];
        for (var i = 0; i < slots.Length; i++)
        {
            var slot = slots[i];
            if (i > 0 && slots[i - 1].Address.CompareTo(slot.Address) == 0)
            {
                throw new ArgumentException($"Region {slot.Address} is listed twice.", nameof(regions));
            }

            foreach (var shard in slot.Shards)
            {
                if (shard < 0)
                {
                    throw new ArgumentException($"Region {slot.Address} lists shard {shard}; shard ids are 0 or more.", nameof(regions));
                }

                if (!holders.TryAdd(shard, slot))
                {
                    throw new ArgumentException($"Shard {shard} is listed under both {holders[shard].Address} and {slot.Address}; a shard has one home.", nameof(regions));
                }
            }
        }

        AssignShares(slots, holders.Count + extraShards);
        return slots;
    }

    /// <summary>Sets each slot's share of <paramref name="total"/> shards, its range and its count.</summary>
    private static void AssignShares(Slot[] slots, int total)
    {
        // Weights are scaled by the largest so that their sum cannot overflow; summed in address order, so the
        // result does not depend on the order the caller listed the regions in.
        var largest = slots.Length == 0 ? 0 : slots.Max(slot => slot.Weight);
        var sum = largest > 0 ? slots.Sum(slot => slot.Weight / largest) : 0;
        long mins = 0, maxes = 0;
        foreach (var slot in slots)
        {
            slot.Share = sum > 0 ? Math.Round(total * (slot.Weight / largest) / sum, ShareDecimals) : 0;
            slot.Min = (int)Math.Floor(slot.Share);
            slot.Max = (int)Math.Ceiling(slot.Share);
            slot.Count = slot.Shards.Length;
            mins += slot.Min;
            maxes += slot.Max;
        }

        Debug.Assert(sum == 0 || (mins <= total && total <= maxes), "the ranges must admit a balanced assignment");
    }

    /// <summary>One region's working state during a single call.</summary>
    private sealed class Slot(NodeAddress address, double weight, int[] shards)
    {
        public NodeAddress Address { get; } = address;

        public double Weight { get; } = weight;

        public bool Draining => Weight == 0;

        /// <summary>Held shards, ascending.</summary>
        public int[] Shards { get; } = shards;

        public double Share { get; set; }

        public int Min { get; set; }

        public int Max { get; set; }

        /// <summary>Shards counted here: held, minus those leaving, plus those assumed arriving and chosen to arrive.</summary>
        public int Count { get; set; }

        /// <summary>Shards this round may still move away, lowest id first.</summary>
        public List<int> Movable { get; set; } = [];

        public double Excess => Count - Share;
    }
}
