using System.CommandLine;
using System.Text.Json;
using Amazon.SQS.Model;
using Queueing.Redrive.Cli;
using Queueing.Redrive.Messages;
using Queueing.Redrive.Output;
using Queueing.Redrive.Queues;
using Queueing.Redrive.Scanning;
using Queueing.Shared.Sqs;

namespace Queueing.Redrive.Commands.Export;

/// <summary><c>export &lt;queue&gt; --out FILE</c>: every matching message as a JSON line; nothing is deleted.</summary>
public static class ExportCommand
{
    private const int DefaultVisibilityTimeout = 300;

    public static Command Create(CliContext cli)
    {
        var queue = CommonOptions.Queue("The dead-letter queue: name, URL or ARN.");
        var output = new Option<string>("--out") { Description = "File to write (JSON lines; '-' for stdout). Overwritten.", Required = true };
        var filters = new FilterOptions();
        var max = CommonOptions.Max("Export at most this many matching messages.");
        var json = CommonOptions.Json();
        var visibility = CommonOptions.VisibilityTimeout(DefaultVisibilityTimeout);
        var anyQueue = CommonOptions.AnyQueue();

        var command = new Command("export", "Write every matching message (body, attributes, message attributes) to a JSON lines file; nothing is deleted.");
        command.Arguments.Add(queue);
        command.Options.Add(output);
        filters.AddTo(command);
        command.Options.Add(max);
        command.Options.Add(json);
        command.Options.Add(visibility);
        command.Options.Add(anyQueue);
        command.SetAction(async (parse, cancellationToken) =>
        {
            var filter = filters.Bind(parse, cli.Time);
            var path = parse.GetValue(output)!;
            var (sqs, directory) = cli.Connect(parse);
            var (dlq, _) = await directory.ResolveDeadLetterQueueAsync(parse.GetValue(queue)!, parse.GetValue(anyQueue), cancellationToken);

            var toStdout = path == "-";
            await using var writer = toStdout ? null : Open(path);
            var target = writer ?? cli.Console.Output;
            var settings = new ScanSettings(parse.GetValue(visibility));
            var limit = parse.GetValue(max);
            var exported = 0;
            var skipped = 0;
            var contents = new SortedDictionary<string, int>(StringComparer.Ordinal);
            var (report, error) = await ProgressBar.RunAsync(cli.Console.Err, $"Exporting {dlq.Name}", dlq.Visible, progress =>
                ScanDriver.RunAsync(new QueueScanner(sqs, dlq, settings), dlq, directory, settings, async (letters, token) =>
                {
                    foreach (var letter in letters)
                    {
                        if (!filter.Matches(letter))
                        {
                            skipped++;
                            continue;
                        }

                        if (limit is { } l && exported >= l)
                        {
                            continue;
                        }

                        await target.WriteLineAsync(JsonSerializer.Serialize(ToExported(letter.Message, dlq), DlqJsonContext.Default.ExportedMessage));
                        exported++;
                        contents[letter.Content] = contents.GetValueOrDefault(letter.Content) + 1;
                    }

                    return limit is { } m && exported >= m;
                }, progress, cancellationToken));

            var summary = new ExportSummaryLine("export", toStdout ? "-" : Path.GetFullPath(path), report.Examined, exported, skipped, report.NotReached)
            {
                Contents = contents,
            };
            if (parse.GetValue(json) && !toStdout)
            {
                cli.Console.WriteJsonLine(JsonSerializer.Serialize(summary, DlqJsonContext.Default.ExportSummaryLine));
            }
            else
            {
                cli.Console.Note($"Exported {exported} message(s) from {dlq.Name} to {summary.File} ({report.Examined} examined, {skipped} skipped by filter" +
                    (contents.Count > 0 ? $"; {MessageContents.Describe(contents)}" : string.Empty) + "). Nothing was deleted.");
            }

            foreach (var line in report.Notes())
            {
                cli.Console.Note(line);
            }

            if (report.Examined > 0)
            {
                cli.Console.Note(Peek.PeekCommand.ReceiveNote(dlq));
            }

            if (error is not null)
            {
                await cli.Console.Error.WriteLineAsync($"error: the scan stopped: {error}");
                return ExitCodes.PartialFailure;
            }

            return report.Interrupted ? ExitCodes.PartialFailure : ExitCodes.Success;
        });
        return command;
    }

    private static StreamWriter Open(string path)
    {
        try
        {
            return new StreamWriter(path, append: false, new System.Text.UTF8Encoding(encoderShouldEmitUTF8Identifier: false));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            throw new UsageException($"Cannot write '{path}': {ex.Message}");
        }
    }

    public static ExportedMessage ToExported(Message message, SqsQueue queue) => new()
    {
        MessageId = message.MessageId,
        Body = message.Body,
        Md5OfBody = message.MD5OfBody,
        EventSourceArn = queue.Arn,
        Attributes = new Dictionary<string, string>(message.Attributes ?? [], StringComparer.Ordinal),
        MessageAttributes = (message.MessageAttributes ?? []).ToDictionary(a => a.Key, a => SqsMessageAttributes.FromSdk(a.Value), StringComparer.Ordinal),
    };
}
