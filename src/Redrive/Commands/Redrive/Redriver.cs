using Amazon.SQS;
using Amazon.SQS.Model;
using Queueing.Contracts.Events;
using Queueing.Redrive.Sending;

namespace Queueing.Redrive.Commands.Redrive;

internal sealed record RedrivePlan(SqsQueue DeadLetterQueue, MessageFilter Filter, int? Max, bool DryRun, ScanSettings Scan);

/// <summary>
/// Moves matching dead letters back: for each round of the scan, send the matches to their target, then delete
/// from the DLQ exactly those whose send SQS confirmed. A crash between send and delete leaves the message in
/// both queues (a duplicate), never in neither. Body and message attributes are sent as received, plus
/// Queueing.RedriveCount one higher. On a FIFO target the group is kept and the deduplication id is new for the
/// original send (so SQS cannot drop it as a repeat of it) but the same for a retry of this redrive of this DLQ
/// message (so a re-run after a crash within SQS's 5-minute window does not duplicate it either).
/// </summary>
internal sealed class Redriver(IAmazonSQS sqs, QueueDirectory directory, RedriveTargets targets, BatchSender sender)
{
    public async Task<RedriveResult> RunAsync(RedrivePlan plan, Action<int>? progress, CancellationToken cancellationToken)
    {
        var result = new RedriveResult(plan.DryRun);
        var scanner = new QueueScanner(sqs, plan.DeadLetterQueue, plan.Scan);
        var (report, error) = await ScanDriver.RunAsync(scanner, plan.DeadLetterQueue, directory, plan.Scan, async (letters, token) =>
        {
            var moves = new List<(DeadLetter Letter, SqsQueue Target)>();
            foreach (var letter in letters)
            {
                if (!plan.Filter.Matches(letter))
                {
                    result.SkippedByFilter++;
                    continue;
                }

                if (plan.Max is { } max && result.Matched >= max)
                {
                    continue;
                }

                result.Matched++;
                var (target, problem) = targets.For(letter);
                if (target is null)
                {
                    result.AddFailed(letter, null, problem!);
                }
                else if (plan.DryRun)
                {
                    result.AddWouldMove(letter, target.Name);
                }
                else
                {
                    moves.Add((letter, target));
                }
            }

            await MoveAsync(plan.DeadLetterQueue, moves, scanner, result, token);
            return plan.Max is { } limit && result.Matched >= limit;
        }, progress, cancellationToken);

        result.Scan = report;
        result.ScanError = error;
        return result;
    }

    private async Task MoveAsync(SqsQueue deadLetterQueue, List<(DeadLetter Letter, SqsQueue Target)> moves, QueueScanner scanner, RedriveResult result, CancellationToken cancellationToken)
    {
        // GroupBy keeps the receive order inside each target, which is the order FIFO groups must keep.
        foreach (var byTarget in moves.GroupBy(m => m.Target.Arn, StringComparer.Ordinal))
        {
            var target = byTarget.First().Target;
            var letters = byTarget.Select(m => m.Letter).ToDictionary(l => l.MessageId, StringComparer.Ordinal);
            var outgoing = byTarget.Select(m => ToOutgoing(m.Letter, target)).ToList();
            var outcomes = await sender.SendAsync(target, outgoing, cancellationToken);

            var sent = outcomes.Where(o => o.Sent).ToList();
            // Never cancelled: once a copy is in the target, the DLQ copy must go, or the next run moves it again.
            var deleteErrors = await DeleteAsync(deadLetterQueue, scanner, sent.Select(o => o.Key).ToList());
            foreach (var outcome in outcomes)
            {
                var letter = letters[outcome.Key];
                if (!outcome.Sent)
                {
                    result.AddFailed(letter, target.Name, outcome.Error!);
                }
                else if (deleteErrors.TryGetValue(outcome.Key, out var deleteError))
                {
                    result.AddFailed(letter, target.Name, $"sent to {target.Name} as {outcome.MessageId} but not deleted from {deadLetterQueue.Name} ({deleteError}): it is in both queues now");
                }
                else
                {
                    scanner.Forget(outcome.Key);
                    result.AddMoved(letter, target.Name, outcome.MessageId);
                }
            }
        }
    }

    private async Task<Dictionary<string, string>> DeleteAsync(SqsQueue deadLetterQueue, QueueScanner scanner, List<string> messageIds)
    {
        var errors = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var chunk in messageIds.Chunk(10))
        {
            var entries = chunk.Select((id, i) => new DeleteMessageBatchRequestEntry
            {
                Id = "d" + i.ToString(System.Globalization.CultureInfo.InvariantCulture),
                ReceiptHandle = scanner.ReceiptOf(id),
            }).ToList();
            try
            {
                var response = await sqs.DeleteMessageBatchAsync(
                    new DeleteMessageBatchRequest { QueueUrl = deadLetterQueue.Url, Entries = entries }, CancellationToken.None);
                foreach (var failed in response.Failed ?? [])
                {
                    errors[chunk[int.Parse(failed.Id.AsSpan(1), System.Globalization.CultureInfo.InvariantCulture)]] = $"{failed.Code}: {failed.Message}";
                }
            }
            // Boundary: the sends succeeded; a failed delete leaves duplicates, which the summary reports.
            catch (Exception ex) when (AwsErrors.IsCallFailure(ex))
            {
                foreach (var id in chunk)
                {
                    errors[id] = ex.Message;
                }
            }
        }

        return errors;
    }

    public static OutgoingMessage ToOutgoing(DeadLetter letter, SqsQueue target)
    {
        var attributes = MessageAttributesCopy.ForRedrive(letter.Message.MessageAttributes, letter.RedriveCount);
        var trace = letter.Message.Attributes?.GetValueOrDefault(SqsAttributeNames.AwsTraceHeader);
        if (!target.IsFifo)
        {
            return new OutgoingMessage(letter.MessageId, letter.Body, attributes, null, null, trace);
        }

        var group = letter.GroupId ?? letter.Device ?? "redrive";
        var deduplicationId = $"redrive-{letter.MessageId}-{letter.RedriveCount + 1}";
        return new OutgoingMessage(letter.MessageId, letter.Body, attributes, group, deduplicationId, trace);
    }
}
