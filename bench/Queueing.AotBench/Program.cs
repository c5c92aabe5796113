using Queueing.AotBench.Cli;

using var cancel = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    // The first Ctrl+C stops the run cleanly (the function, moto and the stand-ins are stopped on the way out).
    e.Cancel = true;
    cancel.Cancel();
};

return await AotBenchCommand.RunAsync(args, Console.Out, Console.Error, cancel.Token);
