using System.CommandLine;
using System.CommandLine.Help;
using System.Runtime.InteropServices;

namespace Queueing.Local.Cli;

/// <summary>The command line of the local stack: the commands, parsing, exit codes.</summary>
internal static class LocalCli
{
    public static RootCommand Create(CliContext cli)
    {
        var root = new RootCommand(
            "Queueing's local stack: the AWS side of Queueing on one machine, from serverless.template, with the real function " +
            "executables under an emulated Lambda Runtime API and moto_server as the local AWS. Needs the .NET 10 SDK and " +
            "Python 3 with moto[server] (and Node.js for up's Waylay plugs). `up` is the default command. See docs/local.md." + Environment.NewLine + Environment.NewLine +
            "Examples:" + Environment.NewLine +
            "  (no arguments)                          the closed loop with 5 devices and a live view, until Ctrl+C" + Environment.NewLine +
            "  up --devices 5 --messages 20            a bounded run ending with 'sent N, delivered D, dead-lettered L, lost X'" + Environment.NewLine +
            "  up --duration 2m --waylay-fail-rate 0.2 --waylay-latency 50-300ms" + Environment.NewLine +
            "  invoke IngestFunction --event events/ingest-telemetry-batch.json --waylay-url http://127.0.0.1:8080" + Environment.NewLine +
            "  generate-event sqs --device lamp-1 --count 10 | queueing-local invoke IngestFunction --event -" + Environment.NewLine +
            "  generate-event http --path /commands --header x-signature=... > command.json" + Environment.NewLine +
            "  send-command --url http://127.0.0.1:PORT/commands --device lamp-88 --payload '{\"lightStatus\":\"on\"}'");
        var shared = new SharedOptions();
        root.Subcommands.Add(UpCommand.Create(cli, shared));
        root.Subcommands.Add(InvokeCommand.Create(cli, shared));
        root.Subcommands.Add(GenerateEventCommand.Create(cli));
        root.Subcommands.Add(SendCommandCommand.Create(cli));
        root.SetAction(parse =>
        {
            new HelpAction().Invoke(parse);
            return ExitCodes.Success;
        });
        return root;
    }

    /// <summary><c>up</c> is the default command: no arguments, or options only (other than help and version), run it.</summary>
    public static string[] WithDefaultCommand(string[] args) =>
        args.Length == 0 || (args[0].StartsWith('-') && args[0] is not ("-h" or "--help" or "-?" or "/?" or "/h" or "--version"))
            ? [UpCommand.Name, .. args]
            : args;

    /// <summary>Parses and runs; a command line the parser rejects exits with <see cref="ExitCodes.Usage"/>.</summary>
    public static async Task<int> RunAsync(string[] args, CliContext cli, CancellationToken cancellationToken = default)
    {
        var parse = Create(cli).Parse(WithDefaultCommand(args));
        // Our own handler maps UsageException to exit code 2; anything else is a bug and keeps its stack trace.
        var configuration = new InvocationConfiguration
        {
            Output = cli.Out,
            Error = cli.Error,
            EnableDefaultExceptionHandler = false,
            // Ctrl+C cancels the command's token; give `up` time to drain (10 s), stop the function processes and moto.
            ProcessTerminationTimeout = TimeSpan.FromSeconds(30),
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

        // System.CommandLine turns SIGINT and SIGTERM into the command's token. The children run in sessions of their
        // own (Processes/OwnSession), so a closed terminal's SIGHUP or a Ctrl+\ SIGQUIT reaches only this process:
        // handled the same way, or it would exit at once and leave moto, Node and the functions running.
        using var hangUp = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        using var sigHup = OperatingSystem.IsWindows() ? null : PosixSignalRegistration.Create(PosixSignal.SIGHUP, Cancel);
        using var sigQuit = OperatingSystem.IsWindows() ? null : PosixSignalRegistration.Create(PosixSignal.SIGQUIT, Cancel);
        try
        {
            return await parse.InvokeAsync(configuration, hangUp.Token);
        }
        catch (UsageException ex)
        {
            await cli.Error.WriteLineAsync(ex.Message);
            return ExitCodes.Usage;
        }

        void Cancel(PosixSignalContext signal)
        {
            signal.Cancel = true;
            hangUp.Cancel();
        }
    }
}
