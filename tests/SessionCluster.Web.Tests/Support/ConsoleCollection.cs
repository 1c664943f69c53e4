namespace SessionCluster.Web.Tests.Support;

/// <summary>Tests that capture <see cref="Console.Error"/>, which is one per process: they run alone, after all others.</summary>
[CollectionDefinition(nameof(ConsoleCollection), DisableParallelization = true)]
public sealed class ConsoleCollection;
