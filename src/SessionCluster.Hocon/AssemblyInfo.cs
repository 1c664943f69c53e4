using System.Runtime.CompilerServices;

// The tests check the flattened key/value table directly.
[assembly: InternalsVisibleTo("SessionCluster.Hocon.Tests")]
