namespace EhrR1.Graph.Benchmarks;

/// <summary>
/// A benchmark command: <c>dotnet run -c Release --project benchmarks/EhrR1.Graph.Benchmarks -- NAME [args]</c>.
/// Implementations are discovered by reflection; each prints its figures as Markdown lines on stdout.
/// </summary>
internal interface IBenchmark
{
    string Name { get; }

    string Description { get; }

    Task<int> RunAsync(string[] args, CancellationToken cancellationToken);
}
