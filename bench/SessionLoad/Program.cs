using SessionLoad;

// bench/SessionLoad: the client of the memory, sharding and transfer benchmarks. Five commands, all bounded:
//   create  --url URL --count N [--concurrency C] [--value-bytes B] [--name NAME] [--verify K] [--cookies-out FILE --cookies K]
//           sends exactly N cookie-less PUTs (each creates one session holding one B-byte attribute) and checks them;
//           optionally writes the cookies of K of them, spread evenly, to FILE (for wrk and verify)
//   verify  --url URL --cookies FILE [--value-bytes B] [--name NAME]
//           reads back every session of a cookie file: its attribute, and no new cookie (a lost session gets one)
//   watch   --url URL --member ADDRESS --workers W --since-unix-ms T --timeline FILE [--interval-ms 100] [--deadline-seconds 60]
//           polls /cluster/members and /cluster/shards and times a joining worker: Up, first shard, shards settled
//   transfer --url SENDER-URL --joiner-url URL --sender HOST:PORT --joiner HOST:PORT --sender-pid PID --since-unix-ms T
//            --timeline FILE --rss-out FILE [--workers 2] [--backups 1] [--interval-ms 100] [--rss-interval-ms 100] [--deadline-seconds 300]
//           times a joining worker until it holds its shards and whole backup copies, sampling the sender's VmRSS
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
        "transfer" => await TransferWatcher.Run(Arguments.Parse(args[1..])),
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
    Console.Error.WriteLine("       SessionLoad transfer --url SENDER-URL --joiner-url URL --sender HOST:PORT --joiner HOST:PORT --sender-pid PID --since-unix-ms T --timeline FILE --rss-out FILE [--workers 2] [--backups 1] [--interval-ms 100] [--rss-interval-ms 100] [--deadline-seconds 300]");
    Console.Error.WriteLine("       SessionLoad heap --pid PID [--types 25] [--timeout-seconds 300]");
    return 2;
}
