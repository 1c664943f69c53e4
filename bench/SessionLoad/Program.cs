using SessionLoad;

// bench/SessionLoad: the client of the memory and sharding benchmarks. Four commands, all bounded:
//   create  --url URL --count N [--concurrency C] [--value-bytes B] [--name NAME] [--verify K] [--cookies-out FILE --cookies K]
//           sends exactly N cookie-less PUTs (each creates one session holding one B-byte attribute) and checks them;
//           optionally writes the cookies of K of them, spread evenly, to FILE (for wrk and verify)
//   verify  --url URL --cookies FILE [--value-bytes B] [--name NAME]
//           reads back every session of a cookie file: its attribute, and no new cookie (a lost session gets one)
//   watch   --url URL --member ADDRESS --workers W --since-unix-ms T --timeline FILE [--interval-ms 100] [--deadline-seconds 60]
//           polls /cluster/members and /cluster/shards and times a joining worker: Up, first shard, shards settled
//   heap    --pid PID [--types TOP] [--timeout-seconds S]
//           induces a full blocking GC in the node over its diagnostics port and prints the managed heap after it;
//           with --types also walks the heap (as dotnet-gcdump does) and prints the TOP types by bytes
try
{
    return args.Length == 0 ? Usage() : args[0] switch
    {
        "create" => await SessionCreator.Run(Arguments.Parse(args[1..])),
        "verify" => await SessionChecker.Run(Arguments.Parse(args[1..])),
        "watch" => await RebalanceWatcher.Run(Arguments.Parse(args[1..])),
        "heap" => HeapProbe.Run(Arguments.Parse(args[1..])),
        _ => Usage(),
    };
}
catch (ArgumentException exception)
{
    Console.Error.WriteLine($"error: {exception.Message}");
    return 2;
}

static int Usage()
{
    Console.Error.WriteLine("usage: SessionLoad create --url URL --count N [--concurrency 64] [--value-bytes 100] [--name payload] [--verify 1000] [--cookies-out FILE] [--cookies 1000]");
    Console.Error.WriteLine("       SessionLoad verify --url URL --cookies FILE [--value-bytes 100] [--name payload]");
    Console.Error.WriteLine("       SessionLoad watch --url URL --member HOST:PORT --workers W --since-unix-ms T --timeline FILE [--interval-ms 100] [--deadline-seconds 60]");
    Console.Error.WriteLine("       SessionLoad heap --pid PID [--types 25] [--timeout-seconds 300]");
    return 2;
}
