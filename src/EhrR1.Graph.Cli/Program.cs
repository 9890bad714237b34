using EhrR1.Graph.Cli.Hosting;

return await CliApp.RunAsync(args, Console.Out, Console.Error, CancellationToken.None);
