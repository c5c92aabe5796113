using System.CommandLine;
using System.Globalization;
using Queueing.Redrive.Sending;
using Spectre.Console;

namespace Queueing.Redrive.Commands.Import;

/// <summary><c>import &lt;queue&gt; --in FILE</c>: send exported (perhaps edited) messages to a queue.</summary>
internal static class ImportCommand
{
    public static Command Create(CliContext cli)
    {
        var queue = CommonOptions.Queue("The queue to send to: name, URL or ARN (usually the source queue).");
        var input = new Option<string>("--in") { Description = "A file 'export' wrote (JSON lines).", Required = true };
        var rate = new Option<string?>("--rate") { Description = "At most this many messages a second (20, 20/s, 600/m)." };
        var json = CommonOptions.Json();

        var command = new Command("import", "Send the messages of an export file (body and message attributes as in the file) to a queue.")
        {
            queue, input, rate, json,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var sendRate = SendRate.Parse(parse.GetValue(rate), cli.Time);
            var (sqs, directory) = cli.Connect(parse);
            var target = await directory.ResolveAsync(parse.GetValue(queue)!, cancellationToken);

            var messages = await ImportFile.ReadAsync(parse.GetValue(input)!, target, cancellationToken);
            var outcomes = await ProgressBar.RunAsync(cli.Console.Err, $"Importing into {target.Name}", messages.Count, async progress =>
            {
                var sender = new BatchSender(sqs, sendRate);
                var all = new List<SendOutcome>();
                // One message list per call keeps progress moving; the sender keeps FIFO order within each call
                // and a failed group is not continued in later calls either.
                var brokenGroups = new HashSet<string>(StringComparer.Ordinal);
                foreach (var chunk in messages.Chunk(100))
                {
                    var sendable = chunk.Where(m => m.GroupId is null || !brokenGroups.Contains(m.GroupId)).ToList();
                    all.AddRange(chunk.Except(sendable).Select(m => new SendOutcome(m.Key, null, $"not sent: an earlier message of group '{m.GroupId}' failed")));
                    var sent = await sender.SendAsync(target, sendable, cancellationToken);
                    foreach (var failed in sent.Where(o => !o.Sent))
                    {
                        if (sendable.First(m => m.Key == failed.Key).GroupId is { } group && target.IsFifo)
                        {
                            brokenGroups.Add(group);
                        }
                    }

                    all.AddRange(sent);
                    progress(chunk.Length);
                }

                return all;
            });

            var sentCount = outcomes.Count(o => o.Sent);
            var failures = outcomes.Where(o => !o.Sent).ToList();
            if (parse.GetValue(json))
            {
                foreach (var outcome in outcomes)
                {
                    cli.Console.WriteJsonLine(
                        new MessageOutcomeLine(outcome.Key, outcome.Sent ? "sent" : "failed", target.Name, outcome.MessageId, outcome.Error),
                        DlqJsonContext.Default.MessageOutcomeLine);
                }

                cli.Console.WriteJsonLine(new ImportSummaryLine("import", target.Name, sentCount, failures.Count), DlqJsonContext.Default.ImportSummaryLine);
            }
            else
            {
                cli.Console.Out.WriteLine($"Sent {sentCount} message(s) to {target.Name}; {failures.Count} failed.");
                if (failures.Count > 0)
                {
                    var table = Format.Table("Failed because", "Messages", "For example");
                    foreach (var reason in failures.GroupBy(f => f.Error ?? "").OrderByDescending(g => g.Count()))
                    {
                        table.AddRow(Format.Cell(reason.Key), Format.Cell(reason.Count().ToString(CultureInfo.InvariantCulture)), Format.Cell(string.Join(", ", reason.Take(3).Select(f => f.Key))));
                    }

                    cli.Console.Out.Write(table);
                }
            }

            return failures.Count == 0 ? ExitCodes.Success : ExitCodes.PartialFailure;
        });
        return command;
    }
}
