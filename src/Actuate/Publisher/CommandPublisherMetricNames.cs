using Queueing.Contracts.DeadLetters;

namespace Queueing.Actuate.Publisher;

/// <summary>The command publisher's CloudWatch metric names (namespace Queueing, dimension FunctionName), flushed
/// as EMF once per invocation by the runtime loop. The template's alarms and dashboards name these.</summary>
internal static class CommandPublisherMetricNames
{
    public const string Published = "CommandsPublished";
    /// <summary>Batch item failures reported (commands SQS will redeliver).</summary>
    public const string Retried = "CommandsRetried";
    /// <summary>Messages whose own topic disagrees with the derived one; each is also parked, as rejected.</summary>
    public const string TopicMismatch = "CommandsTopicMismatch";
    /// <summary>Status messages (published, ackDue, expired, rejected, undelivered) SQS confirmed on IngestQueue.</summary>
    public const string StatusSent = "CommandStatusSent";
    /// <summary>Status messages not sent after a retry: Waylay does not learn that fate. The template alarms on it.</summary>
    public const string StatusNotSent = "CommandStatusNotSent";
    public const string ParkedMalformed = "CommandsParked.malformed";
    public const string ParkedRejected = "CommandsParked.rejected";
    public const string ParkedExhausted = "CommandsParked.exhausted";
    public const string ParkedExpired = "CommandsParked.expired";

    public static string Parked(DeadLetterKind kind) => kind switch
    {
        DeadLetterKind.Malformed => ParkedMalformed,
        DeadLetterKind.Rejected => ParkedRejected,
        DeadLetterKind.Exhausted => ParkedExhausted,
        DeadLetterKind.Expired => ParkedExpired,
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
    };
}
