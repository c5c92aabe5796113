
namespace Queueing.Redrive.Commands.Redrive;

/// <summary>
/// Where a dead letter goes back to: --to if given; else the queue its reason names (Queueing.SourceQueue, or
/// the DeadLetterQueueSourceArn AWS sets when its redrive policy moved it), but only when that queue is one of the
/// DLQ's source queues; else the DLQ's only source queue. A recorded queue that is not a source, and several
/// sources with nothing recorded, have no safe answer: the message stays in the DLQ and --to is asked for.
/// </summary>
internal sealed class RedriveTargets(SqsQueue deadLetterQueue, IReadOnlyList<SqsQueue> sources, SqsQueue? to)
{
    public (SqsQueue? Queue, string? Error) For(DeadLetter letter)
    {
        if (to is not null)
        {
            return (to, null);
        }

        if ((letter.SourceQueue ?? letter.DeadLetterQueueSourceArn) is { } recorded)
        {
            // The attribute travels with the message: an imported, edited or hand-sent dead letter can name any
            // queue (another account's, another region's, another system's). Only a queue whose redrive policy
            // names this DLQ (ListDeadLetterSourceQueues) is a place it can have come from.
            return sources.FirstOrDefault(s => s.Arn == recorded || s.Url == recorded) is { } source
                ? (source, null)
                : (null, $"its recorded source queue {recorded} is not a source queue of {deadLetterQueue.Name} ({(sources.Count == 0 ? "it has none" : "those are " + Names())}); it stays in the DLQ: pass --to to choose where it goes");
        }

        return sources.Count switch
        {
            1 => (sources[0], null),
            0 => (null, $"no source queue is recorded and no queue uses {deadLetterQueue.Name} as its dead-letter queue; pass --to"),
            _ => (null, $"no source queue is recorded and {deadLetterQueue.Name} has {sources.Count} source queues ({Names()}); pass --to"),
        };
    }

    private string Names() => string.Join(", ", sources.Select(s => s.Name));
}
