// Owns: the dead-letter CLI: list, peek, export, import, redrive, purge.
// May reference: Queueing.Contracts, System.CommandLine, Spectre.Console, AWSSDK.SQS; not the function runtime, not SSM.

// Ctrl+C asks the running command to stop cleanly (release held messages, print the summary); a second Ctrl+C
// ends the process at once.
using var shutdown = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = !shutdown.IsCancellationRequested;
    shutdown.Cancel();
};

return await DlqCli.RunAsync(args, CliConsole.ForProcess(), SqsClientFactory.DefaultChain, TimeProvider.System, shutdown.Token);
