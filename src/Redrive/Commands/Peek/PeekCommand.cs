using System.CommandLine;
using Spectre.Console;

namespace Queueing.Redrive.Commands.Peek;

/// <summary><c>peek &lt;queue&gt;</c>: show messages and why they are there; every message goes back at once.</summary>
internal static class PeekCommand
{
    private const int DefaultMax = 20;
    // Peek stops at --max, so its scan is short; a short timeout also means a killed peek hides little for long.
    private const int DefaultVisibilityTimeout = 60;

    public static Command Create(CliContext cli)
    {
        var scan = new DeadLetterScanOptions($"Show at most this many matching messages (default {DefaultMax}).", DefaultMax, DefaultVisibilityTimeout);
        var command = scan.Command("peek", "Show messages of a dead-letter queue with their reason, returning each to the queue at once; never deletes.", [], []);
        command.SetAction(async (parse, cancellationToken) =>
        {
            var filter = scan.Filter(parse, cli);
            var (sqs, directory, dlq, _) = await scan.ResolveAsync(cli, parse, cancellationToken);

            var settings = scan.Settings(parse);
            var limit = parse.GetValue(scan.Max) ?? DefaultMax;
            var shown = new List<DeadLetter>();
            var (report, error) = await ScanDriver.RunAsync(new QueueScanner(sqs, dlq, settings), dlq, directory, settings, (letters, _) =>
            {
                shown.AddRange(letters.Where(filter.Matches).Take(limit - shown.Count));
                return Task.FromResult(shown.Count >= limit);
            }, null, cancellationToken);

            Write(cli.Console, dlq, shown, report, parse.GetValue(scan.Json));
            foreach (var line in report.Notes())
            {
                cli.Console.Note(line);
            }

            if (report.Examined > 0)
            {
                cli.Console.Note(ReceiveNote(dlq));
            }
            if (error is not null)
            {
                cli.Console.Error.WriteLine($"error: the scan stopped: {error}");
                return ExitCodes.PartialFailure;
            }

            return report.Interrupted ? ExitCodes.PartialFailure : ExitCodes.Success;
        });
        return command;
    }

    /// <summary>Why a peek is not free, said every time.</summary>
    public static string ReceiveNote(SqsQueue queue) => queue.RedrivePolicy is { } own
        ? $"Warning: peeking is a receive. SQS raised ApproximateReceiveCount of every message examined, and {queue.Name} has a redrive policy of its own (maxReceiveCount {own.MaxReceiveCount}): a message received that often moves on to {own.DeadLetterTargetArn}. Messages were returned at once (visibility 0)."
        : $"Note: peeking is a receive. SQS raised ApproximateReceiveCount of every message examined; {queue.Name} has no redrive policy of its own, so that moves nothing. Messages were returned at once (visibility 0); nothing was deleted.";

    private static void Write(CliConsole console, SqsQueue queue, List<DeadLetter> shown, ScanReport report, bool json)
    {
        if (json)
        {
            foreach (var letter in shown)
            {
                console.WriteJsonLine(ToLine(letter), DlqJsonContext.Default.PeekLine);
            }

            return;
        }

        if (shown.Count == 0)
        {
            console.Out.WriteLine($"No matching message in {queue.Name} ({report.Examined} examined).");
            return;
        }

        var table = Format.Table("Message id", "Kind", "Content", "Error", "Device", "Receives", "First receive", "Sent", "Body");
        foreach (var letter in shown)
        {
            table.AddRow(
                Format.Cell(letter.MessageId),
                Format.Cell(letter.Kind),
                Format.Cell(letter.Content),
                Format.Cell(Format.Preview(letter.Error, 60)),
                Format.Cell(letter.Device),
                Format.Cell(letter.ReceiveCount?.ToString(System.Globalization.CultureInfo.InvariantCulture)),
                Format.Cell(Format.Time(letter.FirstReceiveTime)),
                Format.Cell(Format.Time(letter.SentTime)),
                Format.Cell(Format.Preview(letter.Body, 60)));
        }

        table.Title = new TableTitle(Markup.Escape($"{queue.Name}: {shown.Count} shown, {report.Examined} examined"));
        console.Out.Write(table);
    }

    public static PeekLine ToLine(DeadLetter letter) => new(
        letter.MessageId,
        letter.Kind,
        letter.Error,
        letter.Device,
        letter.GroupId,
        letter.SourceQueue ?? letter.DeadLetterQueueSourceArn,
        letter.Function,
        letter.ReceiveCount,
        letter.FirstReceiveTime,
        letter.SentTime,
        letter.RedriveCount,
        letter.Body)
    {
        Content = letter.Content,
    };
}
