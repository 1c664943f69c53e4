using SessionCluster.TestKit.Fuzzing;

namespace SessionCluster.Actors.Tests.Fuzzing;

/// <summary>A fuzzer found an input that breaks the contract: the seed and iteration replay it, the hex rebuilds it
/// as a regression test.</summary>
public sealed class FuzzFindingException(int seed, int iteration, string kind, byte[] input, Exception error)
    : Exception(
        $"Fuzz finding (seed {seed}, iteration {iteration}, {kind}): {error.GetType().Name}: {error.Message}\ninput: {ByteMutator.Hex(input)}",
        error);
