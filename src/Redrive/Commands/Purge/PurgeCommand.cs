using System.CommandLine;
using Amazon.SQS.Model;
using Spectre.Console;

namespace Queueing.Redrive.Commands.Purge;

/// <summary><c>purge &lt;queue&gt; --yes</c>: delete every message (PurgeQueue). Refuses without --yes.</summary>
internal static class PurgeCommand
{
    public static Command Create(CliContext cli)
    {
        var queue = CommonOptions.Queue("The dead-letter queue to empty: name, URL or ARN.");
        var yes = new Option<bool>("--yes") { Description = "Really delete every message; there is no undo (export first if in doubt)." };
        var anyQueue = CommonOptions.AnyQueue();

        var command = new Command("purge", "Delete every message in a dead-letter queue (needs --yes).")
        {
            queue, yes, anyQueue,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var (sqs, directory) = cli.Connect(parse);
            var (dlq, _) = await directory.ResolveDeadLetterQueueAsync(parse.GetValue(queue)!, parse.GetValue(anyQueue), cancellationToken);
            var count = dlq.Visible + dlq.InFlight + dlq.Delayed;
            if (!parse.GetValue(yes))
            {
                throw new UsageException($"purge deletes all {Format.Number(count)} message(s) in {dlq.Name} and cannot be undone; add --yes (and consider 'export' first).");
            }

            try
            {
                await sqs.PurgeQueueAsync(new PurgeQueueRequest { QueueUrl = dlq.Url }, cancellationToken);
            }
            catch (PurgeQueueInProgressException)
            {
                await cli.Console.Error.WriteLineAsync($"error: a purge of {dlq.Name} is already in progress (SQS allows one purge per queue every 60 seconds).");
                return ExitCodes.PartialFailure;
            }

            cli.Console.Out.WriteLine($"Purged {dlq.Name}: about {Format.Number(count)} message(s) deleted. SQS may take up to 60 seconds to finish a purge.");
            return ExitCodes.Success;
        });
        return command;
    }
}
