using Queueing.Contracts.Settings;
using Queueing.Local.Cli;

return await LocalCli.RunAsync(
    args,
    new CliContext(Console.Out, Console.Error, Console.In, Environment.CurrentDirectory, ProcessEnvironment.Read(), TimeProvider.System)
    {
        Interactive = !Console.IsOutputRedirected,
    });
