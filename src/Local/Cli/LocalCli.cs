using System.CommandLine;
using System.CommandLine.Help;

namespace Queueing.Local.Cli;

/// <summary>The command line of the local stack: the commands, parsing, exit codes.</summary>
public static class LocalCli
{
    public static RootCommand Create(CliContext cli)
    {
        var root = new RootCommand(
            "Queueing's local stack: the AWS side of Queueing on one machine, from serverless.template, with the real function " +
            "executables under an emulated Lambda Runtime API and moto_server as the local AWS. Needs the .NET 10 SDK and " +
            "Python 3 with moto[server]. See docs/local.md." + Environment.NewLine + Environment.NewLine +
            "Examples:" + Environment.NewLine +
            "  invoke IngestFunction --event events/ingest-telemetry-batch.json --waylay-url http://127.0.0.1:8080" + Environment.NewLine +
            "  generate-event sqs --device lamp-1 --count 10 | queueing-local invoke IngestFunction --event -" + Environment.NewLine +
            "  generate-event http --path /commands --header x-signature=... > command.json");
        var shared = new SharedOptions();
        root.Subcommands.Add(InvokeCommand.Create(cli, shared));
        root.Subcommands.Add(GenerateEventCommand.Create(cli));
        root.SetAction(parse =>
        {
            new HelpAction().Invoke(parse);
            return ExitCodes.Success;
        });
        return root;
    }

    /// <summary>Parses and runs; a command line the parser rejects exits with <see cref="ExitCodes.Usage"/>.</summary>
    public static async Task<int> RunAsync(string[] args, CliContext cli, CancellationToken cancellationToken = default)
    {
        var parse = Create(cli).Parse(args);
        // Our own handler maps UsageException to exit code 2; anything else is a bug and keeps its stack trace.
        var configuration = new InvocationConfiguration
        {
            Output = cli.Out,
            Error = cli.Error,
            EnableDefaultExceptionHandler = false,
            // Ctrl+C cancels the command's token; give it time to stop the function processes and moto.
            ProcessTerminationTimeout = TimeSpan.FromSeconds(15),
        };
        if (parse.Errors.Count > 0)
        {
            foreach (var error in parse.Errors)
            {
                await cli.Error.WriteLineAsync(error.Message);
            }

            await cli.Error.WriteLineAsync("Run with --help for usage.");
            return ExitCodes.Usage;
        }

        try
        {
            return await parse.InvokeAsync(configuration, cancellationToken);
        }
        catch (UsageException ex)
        {
            await cli.Error.WriteLineAsync(ex.Message);
            return ExitCodes.Usage;
        }
    }
}
