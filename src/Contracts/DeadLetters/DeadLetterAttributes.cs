namespace Queueing.Contracts.DeadLetters;

/// <summary>
/// Message attribute names that say why a message is in a dead-letter queue. The consumers write them, the
/// redrive CLI reads them. SQS allows 10 message attributes per message: these are 6 (7 after a redrive), which
/// leaves room for the 3 a command carries.
/// </summary>
public static class DeadLetterAttributes
{
    /// <summary><c>malformed</c>, <c>rejected</c>, <c>exhausted</c> or <c>expired</c>.</summary>
    public const string Kind = "Queueing.Kind";
    /// <summary>The error text (truncated to <see cref="MaxErrorLength"/> characters).</summary>
    public const string Error = "Queueing.Error";
    /// <summary>ARN of the queue the message was consumed from.</summary>
    public const string SourceQueue = "Queueing.SourceQueue";
    /// <summary><c>ApproximateReceiveCount</c> when it was parked (Number).</summary>
    public const string ReceiveCount = "Queueing.ReceiveCount";
    /// <summary><c>ApproximateFirstReceiveTimestamp</c>, ISO 8601 UTC.</summary>
    public const string FirstReceiveTime = "Queueing.FirstReceiveTime";
    /// <summary>The function that parked it.</summary>
    public const string Function = "Queueing.Function";
    /// <summary>How many times the redrive CLI moved it back (Number); absent before the first redrive.</summary>
    public const string RedriveCount = "Queueing.RedriveCount";

    public const int MaxErrorLength = 1024;

    public static readonly IReadOnlySet<string> ReasonNames = new HashSet<string>(StringComparer.Ordinal)
    {
        Kind, Error, SourceQueue, ReceiveCount, FirstReceiveTime, Function,
    };
}
