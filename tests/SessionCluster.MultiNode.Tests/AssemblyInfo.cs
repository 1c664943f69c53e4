// Each spec runs a whole cluster of processes and, for the sharding spec, a load that takes every core: run side by
// side on a 2-core machine they would starve each other's failure detectors and fail for reasons neither tests.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
