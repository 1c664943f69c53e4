using System.Globalization;

namespace SessionCluster.TestKit.Fuzzing;

/// <summary>How long a fuzz run goes and where it starts: a small fixed count and seed in CI (seconds), raised from the
/// environment for a long run.</summary>
/// <remarks>
/// <c>SESSIONCLUSTER_FUZZ_ITERATIONS</c> multiplies every harness's CI iteration count (e.g. 1000 for a run of about an
/// hour); <c>SESSIONCLUSTER_FUZZ_SEED</c> replaces the fixed seed, so a long run explores new inputs and a failure found
/// with a seed replays exactly. Every failure message names the seed and the iteration.
/// </remarks>
public static class FuzzBudget
{
    /// <summary>The environment variable that multiplies iteration counts.</summary>
    public const string IterationsVariable = "SESSIONCLUSTER_FUZZ_ITERATIONS";

    /// <summary>The environment variable that sets the seed.</summary>
    public const string SeedVariable = "SESSIONCLUSTER_FUZZ_SEED";

    /// <summary>The seed of this run: the environment's, or <paramref name="fixedSeed"/>.</summary>
    public static int Seed(int fixedSeed) =>
        int.TryParse(Environment.GetEnvironmentVariable(SeedVariable), NumberStyles.Integer, CultureInfo.InvariantCulture, out var seed) ? seed : fixedSeed;

    /// <summary><paramref name="ciIterations"/> times the environment's multiplier (1 when unset).</summary>
    public static int Iterations(int ciIterations) =>
        int.TryParse(Environment.GetEnvironmentVariable(IterationsVariable), NumberStyles.Integer, CultureInfo.InvariantCulture, out var factor) && factor > 0
            ? (int)Math.Min(int.MaxValue, (long)ciIterations * factor)
            : ciIterations;
}
