using Queueing.Local.Cli;
using Queueing.Shared.Settings;

return await LocalCli.RunAsync(
    args,
    new CliContext(Console.Out, Console.Error, Console.In, Environment.CurrentDirectory, ProcessEnvironment.Read(), TimeProvider.System)
    {
        Interactive = !Console.IsOutputRedirected,
    });
