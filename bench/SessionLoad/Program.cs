using SessionLoad;

// bench/SessionLoad: the memory benchmark's client. Two commands, both bounded:
//   create  --url URL --count N [--concurrency C] [--value-bytes B] [--name NAME] [--verify K]
//           sends exactly N cookie-less PUTs (each creates one session holding one B-byte attribute) and checks them
//   heap    --pid PID [--types TOP] [--timeout-seconds S]
//           induces a full blocking GC in the node over its diagnostics port and prints the managed heap after it;
//           with --types also walks the heap (as dotnet-gcdump does) and prints the TOP types by bytes
try
{
    return args.Length == 0 ? Usage() : args[0] switch
    {
        "create" => await SessionCreator.Run(Arguments.Parse(args[1..])),
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
    Console.Error.WriteLine("usage: SessionLoad create --url URL --count N [--concurrency 64] [--value-bytes 100] [--name payload] [--verify 1000]");
    Console.Error.WriteLine("       SessionLoad heap --pid PID [--types 25] [--timeout-seconds 300]");
    return 2;
}
