using System.CommandLine;
using Queueing.Redrive.Commands.Export;
using Queueing.Redrive.Commands.Import;
using Queueing.Redrive.Commands.List;
using Queueing.Redrive.Commands.Peek;
using Queueing.Redrive.Commands.Purge;
using Queueing.Redrive.Commands.Redrive;

namespace Queueing.Redrive.Cli;

/// <summary>
/// The entry point of <c>queueing-dlq</c>: parses, runs the command, and is the one boundary that turns failures
/// into a single line on stderr and an exit code (0 ok, 1 partial failure, 2 usage error). Tests call it in-process.
/// </summary>
internal static class DlqCli
{
    public static async Task<int> RunAsync(string[] args, CliConsole console, SqsClientFactory clients, TimeProvider time, CancellationToken cancellationToken)
    {
        var cli = new CliContext(console, clients, time);
        var root = new RootCommand("queueing-dlq: inspect Queueing's dead-letter queues, see why messages failed, and move them back safely.")
        {
            cli.Profile, cli.Region, cli.EndpointUrl,
            ListCommand.Create(cli), PeekCommand.Create(cli), ExportCommand.Create(cli), RedriveCommand.Create(cli), ImportCommand.Create(cli), PurgeCommand.Create(cli),
        };

        var parse = root.Parse(args);
        if (parse.Errors.Count > 0)
        {
            foreach (var error in parse.Errors)
            {
                await console.Error.WriteLineAsync($"error: {error.Message}");
            }

            await console.Error.WriteLineAsync("Run 'queueing-dlq --help' (or '<command> --help') for usage.");
            return ExitCodes.Usage;
        }

        try
        {
            return await parse.InvokeAsync(new InvocationConfiguration
            {
                Output = console.Output,
                Error = console.Error,
                EnableDefaultExceptionHandler = false,
                // Program.cs owns Ctrl+C and passes it in as the token.
                ProcessTerminationTimeout = null,
            }, cancellationToken);
        }
        catch (UsageException ex)
        {
            await console.Error.WriteLineAsync($"error: {ex.Message}");
            return ExitCodes.Usage;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            await console.Error.WriteLineAsync("Interrupted.");
            return ExitCodes.PartialFailure;
        }
        // Boundary: AWS failures that stop a command before it did anything (credentials, permissions,
        // unreachable endpoint) are one line for the operator, never a stack trace.
        catch (Exception ex) when (AwsErrors.Describe(ex, cli.Connection) is { } line)
        {
            await console.Error.WriteLineAsync($"error: {line}");
            return ExitCodes.Usage;
        }
    }
}
