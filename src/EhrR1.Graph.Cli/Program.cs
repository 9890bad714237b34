using EhrR1.Graph.Cli.Hosting;

using var signals = TerminationSignals.Register(Console.Error, TimeSpan.FromSeconds(5));
return await CliApp.RunAsync(args, Console.Out, Console.Error, signals.Token);
