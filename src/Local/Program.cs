using Queueing.Local.Cli;
using Queueing.Contracts.Settings;

return await LocalCli.RunAsync(
    args,
    new CliContext(Console.Out, Console.Error, Console.In, Environment.CurrentDirectory, ProcessEnvironment.Read(), TimeProvider.System)
    {
        Interactive = !Console.IsOutputRedirected,
    });
