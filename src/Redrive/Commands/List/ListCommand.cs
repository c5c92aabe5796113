using System.CommandLine;
using Spectre.Console;

namespace Queueing.Redrive.Commands.List;

/// <summary>
/// <c>list</c>: every dead-letter queue the caller can see (a queue some redrive policy names, plus what
/// ListDeadLetterSourceQueues says), with depth, in flight, the age of the oldest message and the sources.
/// SQS has no API for the oldest message's age (CloudWatch's ApproximateAgeOfOldestMessage is a metric, not
/// queue state), so list peeks: it receives up to --age-scan-limit messages per DLQ and returns them at once.
/// </summary>
internal static class ListCommand
{
    private const int DefaultAgeScanLimit = 1000;

    public static Command Create(CliContext cli)
    {
        var json = CommonOptions.Json();
        var noAge = new Option<bool>("--no-age") { Description = "Do not receive messages to measure the oldest message's age (no receive is counted)." };
        var ageLimit = new Option<int>("--age-scan-limit")
        {
            Description = $"Receive at most this many messages per DLQ to find the oldest (default {DefaultAgeScanLimit}); beyond, the age shown is a lower bound (≥).",
            DefaultValueFactory = _ => DefaultAgeScanLimit,
        };
        var visibility = CommonOptions.VisibilityTimeout(60);

        var command = new Command("list", "List the dead-letter queues with depth, in-flight count, oldest message age and source queues.")
        {
            json, noAge, ageLimit, visibility,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var (sqs, directory) = cli.Connect(parse);
            var queues = new List<SqsQueue>();
            foreach (var url in await directory.AllQueueUrlsAsync(cancellationToken))
            {
                if (await directory.LoadAsync(url, cancellationToken) is { } queue)
                {
                    queues.Add(queue);
                }
            }

            var sourcesByDlq = new Dictionary<string, SortedSet<string>>(StringComparer.Ordinal);
            foreach (var queue in queues)
            {
                if (queue.RedrivePolicy is { } policy)
                {
                    Sources(sourcesByDlq, policy.DeadLetterTargetArn).Add(queue.Name);
                }
            }

            var lines = new List<ListLine>();
            var scanned = false;
            foreach (var dlq in queues.Where(q => sourcesByDlq.ContainsKey(q.Arn)).OrderBy(q => q.Name, StringComparer.Ordinal))
            {
                foreach (var source in await directory.SourcesOfAsync(dlq, cancellationToken))
                {
                    Sources(sourcesByDlq, dlq.Arn).Add(source.Name);
                }

                (long? Seconds, bool LowerBound, IReadOnlyDictionary<string, int>? Contents) age = (null, false, null);
                if (!parse.GetValue(noAge) && dlq.Visible > 0)
                {
                    age = await OldestAgeAsync(cli, sqs, directory, dlq, parse.GetValue(ageLimit), parse.GetValue(visibility), cancellationToken);
                    scanned = true;
                }

                lines.Add(new ListLine(dlq.Name, dlq.Url, dlq.Arn, dlq.IsFifo, dlq.Visible, dlq.InFlight, dlq.Delayed, age.Seconds, age.LowerBound, [.. sourcesByDlq[dlq.Arn]])
                {
                    Contents = age.Contents,
                });
            }

            Write(cli.Console, lines, parse.GetValue(json));
            if (scanned)
            {
                cli.Console.Note("Note: the oldest age was measured by receiving messages (each one's ApproximateReceiveCount grew by one; they were returned at once). --no-age skips it.");
            }

            return ExitCodes.Success;
        });
        return command;
    }

    private static SortedSet<string> Sources(Dictionary<string, SortedSet<string>> map, string arn)
    {
        if (!map.TryGetValue(arn, out var set))
        {
            set = new SortedSet<string>(StringComparer.Ordinal);
            map[arn] = set;
        }

        return set;
    }

    /// <summary>The oldest message's age, and what the messages examined carry (the same receive reads both).</summary>
    private static async Task<(long? Seconds, bool LowerBound, IReadOnlyDictionary<string, int>? Contents)> OldestAgeAsync(
        CliContext cli, Amazon.SQS.IAmazonSQS sqs, QueueDirectory directory, SqsQueue dlq, int limit, int visibilityTimeout, CancellationToken cancellationToken)
    {
        var settings = new ScanSettings(visibilityTimeout);
        var scanner = new QueueScanner(sqs, dlq, settings);
        DateTimeOffset? oldest = null;
        var contents = new SortedDictionary<string, int>(StringComparer.Ordinal);
        var (report, error) = await ScanDriver.RunAsync(scanner, dlq, directory, settings, (letters, _) =>
        {
            foreach (var letter in letters)
            {
                contents[letter.Content] = contents.GetValueOrDefault(letter.Content) + 1;
                if (letter.SentTime is { } sent && (oldest is null || sent < oldest))
                {
                    oldest = sent;
                }
            }

            return Task.FromResult(scanner.Examined >= limit);
        }, null, cancellationToken);

        if (oldest is null)
        {
            return (null, false, contents.Count == 0 ? null : contents);
        }

        // On FIFO the oldest message of a group is its head, which a scan always reaches; on a standard queue
        // anything not examined may be older. Messages in flight elsewhere were never offered to the scan.
        var lowerBound = report.StoppedAtMax || report.LeaseLapsed || report.Interrupted || error is not null
            || (!dlq.IsFifo && report.NotReached > 0) || dlq.InFlight > 0;
        return ((long)(cli.Time.GetUtcNow() - oldest.Value).TotalSeconds, lowerBound, contents);
    }

    private static void Write(CliConsole console, List<ListLine> lines, bool json)
    {
        if (json)
        {
            foreach (var line in lines)
            {
                console.WriteJsonLine(line, DlqJsonContext.Default.ListLine);
            }

            return;
        }

        if (lines.Count == 0)
        {
            console.Out.WriteLine("No dead-letter queue found: no visible queue has a redrive policy.");
            return;
        }

        var table = Format.Table("Dead-letter queue", "Messages", "In flight", "Oldest", "Contents (examined)", "Sources");
        foreach (var line in lines)
        {
            var oldest = line.OldestAgeSeconds is { } seconds ? (line.OldestAgeIsLowerBound ? "≥ " : "") + Format.Age(TimeSpan.FromSeconds(seconds)) : "-";
            table.AddRow(
                Format.Cell(line.Name),
                Format.Cell(Format.Number(line.Messages)),
                Format.Cell(Format.Number(line.InFlight)),
                Format.Cell(oldest),
                Format.Cell(line.Contents is { } contents ? MessageContents.Describe(contents) : "-"),
                Format.Cell(line.Sources.Count == 0 ? "-" : string.Join(", ", line.Sources)));
        }

        console.Out.Write(table);
    }
}
