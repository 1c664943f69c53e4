namespace SessionCluster.Actors.Tests.Diagnostics;

/// <summary>Tests that compare exact readings of the process-wide SessionCluster meter: they run alone, after all
/// others, so no other test's node ticks its counters between two collections.</summary>
[CollectionDefinition(nameof(ProcessMeterCollection), DisableParallelization = true)]
public sealed class ProcessMeterCollection;
