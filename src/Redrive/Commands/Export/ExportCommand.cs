using System.CommandLine;
using System.Text.Json;
using Amazon.SQS.Model;
using Queueing.Contracts.Sqs;

namespace Queueing.Redrive.Commands.Export;

/// <summary><c>export &lt;queue&gt; --out FILE</c>: every matching message as a JSON line; nothing is deleted.</summary>
internal static class ExportCommand
{
    private const int DefaultVisibilityTimeout = 300;

    public static Command Create(CliContext cli)
    {
        var output = new Option<string>("--out") { Description = "File to write (JSON lines; '-' for stdout). Overwritten.", Required = true };
        var scan = new DeadLetterScanOptions("Export at most this many matching messages.", null, DefaultVisibilityTimeout);
        var command = scan.Command("export", "Write every matching message (body, attributes, message attributes) to a JSON lines file; nothing is deleted.", [output], []);
        command.SetAction(async (parse, cancellationToken) =>
        {
            var filter = scan.Filter(parse, cli);
            var path = parse.GetValue(output)!;
            var (sqs, directory, dlq, _) = await scan.ResolveAsync(cli, parse, cancellationToken);

            var toStdout = path == "-";
            await using var writer = toStdout ? null : Open(path);
            var target = writer ?? cli.Console.Output;
            var settings = scan.Settings(parse);
            var limit = parse.GetValue(scan.Max);
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
            if (parse.GetValue(scan.Json) && !toStdout)
            {
                cli.Console.WriteJsonLine(summary, DlqJsonContext.Default.ExportSummaryLine);
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
