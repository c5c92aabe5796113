using Queueing.Emulators.Hosting;

namespace Queueing.Local.EventSources;

/// <summary>
/// A snapshot of one SQS event source's work. <c>Received</c> counts deliveries (a redelivered message counts
/// again); <c>Failed</c> counts messages left in the queue because the function reported them (or, on FIFO, an
/// earlier message of their group) as failed; <c>FunctionErrors</c> counts invocations whose whole batch failed
/// (error, timeout, init error, or a malformed batch response, which <c>MalformedResponses</c> also counts);
/// <c>InFlight</c> is messages received and not yet deleted or handed back to the queue.
/// </summary>
internal sealed record SqsPollerCounters : CounterSet<SqsPollerCounters>
{
    public long Received;
    public long Invocations;
    public long Deleted;
    public long Failed;
    public long FunctionErrors;
    public long MalformedResponses;
    public int InFlight;

    /// <summary>Deletes SQS refused or that could not be sent (the message will be delivered again).</summary>
    public long DeleteFailures;

    /// <summary>ReceiveMessage calls that failed (local AWS down, queue missing); the pollers back off and retry.</summary>
    public long ReceiveErrors;

    /// <summary>ChangeMessageVisibility entries that failed (with <see cref="SqsPollerOptions.FailedVisibilityTimeout"/>).</summary>
    public long VisibilityChangeFailures;

    /// <summary>FIFO batches that had to wait (counted when the wait starts) because another batch of one of their
    /// message groups was in flight.</summary>
    public long GroupWaits;
}
