namespace SessionCluster.Actors.Sharding;

/// <summary>The effects a sharding state machine collects while it handles one input, handed out at the end.</summary>
internal sealed class EffectBuffer
{
    private List<ShardingEffect> _effects = [];

    public void Add(ShardingEffect effect) => _effects.Add(effect);

    /// <summary>What was collected since the last call; the shared empty list when nothing was.</summary>
    public IReadOnlyList<ShardingEffect> Drain()
    {
        if (_effects.Count == 0)
        {
            return [];
        }

        var effects = _effects;
        _effects = [];
        return effects;
    }
}
