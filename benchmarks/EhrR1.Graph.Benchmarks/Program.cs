using EhrR1.Graph.Benchmarks;

var benchmarks = typeof(IBenchmark).Assembly.GetTypes()
    .Where(t => typeof(IBenchmark).IsAssignableFrom(t) && t is { IsAbstract: false, IsInterface: false })
    .Select(t => (IBenchmark)Activator.CreateInstance(t)!)
    .OrderBy(b => b.Name, StringComparer.Ordinal)
    .ToList();

if (args.Length == 0 || args[0] is "-h" or "--help")
{
    Console.WriteLine("usage: EhrR1.Graph.Benchmarks NAME [args]   (run in Release)");
    foreach (var b in benchmarks)
    {
        Console.WriteLine($"  {b.Name,-16} {b.Description}");
    }

    return 0;
}

var chosen = benchmarks.FirstOrDefault(b => string.Equals(b.Name, args[0], StringComparison.Ordinal));
if (chosen is null)
{
    Console.Error.WriteLine($"unknown benchmark '{args[0]}'. Run with --help for the list.");
    return 1;
}

using var cts = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    cts.Cancel();
};
return await chosen.RunAsync(args[1..], cts.Token);
