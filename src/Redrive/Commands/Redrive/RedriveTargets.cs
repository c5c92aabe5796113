using Queueing.Redrive.Messages;
using Queueing.Redrive.Queues;

namespace Queueing.Redrive.Commands.Redrive;

/// <summary>
/// Where a dead letter goes back to: --to if given; else the queue its reason names (Queueing.SourceQueue, or
/// the DeadLetterQueueSourceArn AWS sets when its redrive policy moved it); else the DLQ's only source queue.
/// With several sources and nothing recorded there is no safe guess: the message fails and --to is asked for.
/// </summary>
public sealed class RedriveTargets(QueueDirectory directory, SqsQueue deadLetterQueue, IReadOnlyList<SqsQueue> sources, SqsQueue? to)
{
    public async Task<(SqsQueue? Queue, string? Error)> ForAsync(DeadLetter letter, CancellationToken cancellationToken)
    {
        if (to is not null)
        {
            return (to, null);
        }

        if ((letter.SourceQueueArn ?? letter.DeadLetterQueueSourceArn) is { } recorded)
        {
            if (recorded == deadLetterQueue.Arn)
            {
                return (null, "its recorded source queue is this dead-letter queue itself; pass --to");
            }

            return await directory.ByArnAsync(recorded, cancellationToken) is { } source
                ? (source, null)
                : (null, $"its source queue {recorded} does not exist; pass --to");
        }

        return sources.Count switch
        {
            1 => (sources[0], null),
            0 => (null, $"no source queue is recorded and no queue uses {deadLetterQueue.Name} as its dead-letter queue; pass --to"),
            _ => (null, $"no source queue is recorded and {deadLetterQueue.Name} has {sources.Count} source queues ({string.Join(", ", sources.Select(s => s.Name))}); pass --to"),
        };
    }
}
