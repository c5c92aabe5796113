using System.CommandLine;
using System.Globalization;
using Queueing.Redrive.Sending;
using Spectre.Console;

namespace Queueing.Redrive.Commands.Redrive;

/// <summary><c>redrive &lt;dlq&gt;</c> (client-side, filtered) or <c>redrive &lt;dlq&gt; --server</c>, plus <c>status</c> and <c>cancel</c>.</summary>
internal static class RedriveCommand
{
    // A redrive scans the whole DLQ while holding what it does not move: the timeout must outlast the scan.
    private const int DefaultVisibilityTimeout = 300;
    // StartMessageMoveTask's limit for MaxNumberOfMessagesPerSecond.
    private const int MaxServerRate = 500;

    public static Command Create(CliContext cli)
    {
        var to = new Option<string?>("--to") { Description = "Send to this queue (name, URL or ARN) instead of each message's source queue." };
        var scan = new DeadLetterScanOptions("Move at most this many matching messages.", null, DefaultVisibilityTimeout);
        var rate = new Option<string?>("--rate") { Description = "At most this many messages a second (20, 20/s, 600/m); default: as fast as SQS takes them." };
        var dryRun = new Option<bool>("--dry-run") { Description = "Show what would move where; send and delete nothing." };
        var server = new Option<bool>("--server") { Description = "Let SQS move everything (StartMessageMoveTask); no filters. Follow with 'redrive status', stop with 'redrive cancel'." };

        var command = scan.Command("redrive", "Move matching messages from a dead-letter queue back to their source queue (or --to): sent first, deleted only after the send succeeded.", [to], [rate, dryRun, server]);
        command.Subcommands.Add(StatusCommand(cli));
        command.Subcommands.Add(CancelCommand(cli));
        command.SetAction(async (parse, cancellationToken) =>
        {
            var filter = scan.Filter(parse, cli);
            if (parse.GetValue(server))
            {
                return await StartServerMoveAsync(cli, parse, parse.GetValue(scan.Queue)!, parse.GetValue(to), filter, parse.GetValue(scan.Max), parse.GetValue(dryRun), parse.GetValue(rate), parse.GetValue(scan.AnyQueue), parse.GetValue(scan.Json), cancellationToken);
            }

            var sendRate = SendRate.Parse(parse.GetValue(rate), cli.Time);
            var (sqs, directory, dlq, sources) = await scan.ResolveAsync(cli, parse, cancellationToken);

            var target = await TargetAsync(directory, dlq, parse.GetValue(to), cancellationToken);
            var plan = new RedrivePlan(dlq, filter, parse.GetValue(scan.Max), parse.GetValue(dryRun), scan.Settings(parse));
            var redriver = new Redriver(sqs, directory, new RedriveTargets(dlq, sources, target), new BatchSender(sqs, sendRate));
            var verb = plan.DryRun ? "Dry run over" : "Redriving";
            var result = await ProgressBar.RunAsync(cli.Console.Err, $"{verb} {dlq.Name}", dlq.Visible, progress => redriver.RunAsync(plan, progress, cancellationToken));

            RedriveReport.Write(cli.Console, dlq, result, parse.GetValue(scan.Json));
            return result.Complete ? ExitCodes.Success : ExitCodes.PartialFailure;
        });
        return command;
    }

    private static async Task<SqsQueue?> TargetAsync(QueueDirectory directory, SqsQueue dlq, string? to, CancellationToken cancellationToken)
    {
        if (to is null)
        {
            return null;
        }

        var target = await directory.ResolveAsync(to, cancellationToken);
        if (target.Arn == dlq.Arn)
        {
            throw new UsageException($"--to names the dead-letter queue itself ({dlq.Name}).");
        }

        return target;
    }

    private static async Task<int> StartServerMoveAsync(
        CliContext cli, ParseResult parse, string queueText, string? to, MessageFilter filter, int? max, bool dryRun, string? rateText, bool anyQueue, bool json, CancellationToken cancellationToken)
    {
        if (!filter.IsEmpty || max is not null || dryRun)
        {
            throw new UsageException("--server moves every message (StartMessageMoveTask has no filter, limit or dry run); drop --kind/--device/--since/--grep/--max/--dry-run, or run without --server.");
        }

        int? perSecond = null;
        if (rateText is not null)
        {
            var parsed = SendRate.Parse(rateText, cli.Time).PerSecond!.Value;
            if (parsed < 1 || parsed > MaxServerRate || parsed != Math.Floor(parsed))
            {
                throw new UsageException($"With --server, --rate must be a whole number of messages a second from 1 to {MaxServerRate}.");
            }

            perSecond = (int)parsed;
        }

        var (sqs, directory) = cli.Connect(parse);
        var (dlq, sources) = await directory.ResolveDeadLetterQueueAsync(queueText, anyQueue, cancellationToken);
        // Messages Queueing's functions parked were sent by SendMessage and carry no SQS source, so SQS could not
        // route them "back to their source": name the destination explicitly.
        var destination = await TargetAsync(directory, dlq, to, cancellationToken)
            ?? (sources.Count == 1 ? sources[0] : throw new UsageException($"{dlq.Name} has {sources.Count} source queues; with --server pass --to."));

        var handle = await new ServerMoves(sqs, cli.Connection).StartAsync(dlq.Arn, destination.Arn, perSecond, cancellationToken);
        if (json)
        {
            cli.Console.WriteJsonLine(new MoveTaskLine(handle, "RUNNING", dlq.Arn, destination.Arn, null, null, perSecond, null, null), DlqJsonContext.Default.MoveTaskLine);
        }
        else
        {
            cli.Console.Out.WriteLine($"Started a server-side move of every message in {dlq.Name} to {destination.Name}. Task handle: {handle}");
            cli.Console.Out.WriteLine($"Follow it: queueing-dlq redrive status {dlq.Name}    Stop it: queueing-dlq redrive cancel {handle}");
        }

        return ExitCodes.Success;
    }

    private static Command StatusCommand(CliContext cli)
    {
        var queue = CommonOptions.Queue("The dead-letter queue whose server-side move tasks to show.");
        var json = CommonOptions.Json();
        var command = new Command("status", "Show the server-side move tasks (StartMessageMoveTask) of a dead-letter queue, most recent first.")
        {
            queue, json,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var (sqs, directory) = cli.Connect(parse);
            var dlq = await directory.ResolveAsync(parse.GetValue(queue)!, cancellationToken);
            var tasks = await new ServerMoves(sqs, cli.Connection).ListAsync(dlq.Arn, cancellationToken);
            if (parse.GetValue(json))
            {
                foreach (var task in tasks)
                {
                    cli.Console.WriteJsonLine(task, DlqJsonContext.Default.MoveTaskLine);
                }

                return ExitCodes.Success;
            }

            if (tasks.Count == 0)
            {
                cli.Console.Out.WriteLine($"No server-side move task for {dlq.Name}.");
                return ExitCodes.Success;
            }

            var table = Format.Table("Status", "Moved", "To move", "Rate", "Started", "Destination", "Task handle", "Failure");
            foreach (var task in tasks)
            {
                table.AddRow(
                    Format.Cell(task.Status),
                    Format.Cell(task.Moved?.ToString(CultureInfo.InvariantCulture)),
                    Format.Cell(task.ToMove?.ToString(CultureInfo.InvariantCulture)),
                    Format.Cell(task.MaxPerSecond is { } r ? $"{r}/s" : "auto"),
                    Format.Cell(Format.Time(task.Started)),
                    Format.Cell(task.DestinationArn ?? "(original sources)"),
                    Format.Cell(task.TaskHandle),
                    Format.Cell(task.FailureReason));
            }

            cli.Console.Out.Write(table);
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command CancelCommand(CliContext cli)
    {
        var handle = new Argument<string>("task-handle") { Description = "The task handle 'redrive --server' printed (also in 'redrive status')." };
        var command = new Command("cancel", "Cancel a running server-side move task; messages already moved stay moved.")
        {
            handle,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var sqs = cli.CreateClient(parse);
            var moved = await new ServerMoves(sqs, cli.Connection).CancelAsync(parse.GetValue(handle)!, cancellationToken);
            cli.Console.Out.WriteLine($"Cancelled. About {moved} message(s) had been moved.");
            return ExitCodes.Success;
        });
        return command;
    }
}
