using Amazon.SQS.Model;

namespace Queueing.Redrive.Messages;

/// <summary>A message received from a dead-letter queue, with why it is there as far as the message tells.</summary>
internal sealed class DeadLetter
{
    public required Message Message { get; init; }
    public string MessageId => Message.MessageId;
    public string Body => Message.Body ?? "";
    /// <summary>Wire name: malformed, rejected, exhausted, expired (Queueing.Kind), rule-error or unknown.</summary>
    public required string Kind { get; init; }
    public required string Error { get; init; }
    /// <summary>
    /// Queueing.SourceQueue as recorded: the ARN the functions write, or whatever a hand-sent or imported message
    /// carries (a URL, another account's ARN). Null when absent or <c>unknown</c>. A claim, not a fact: redrive
    /// follows it only to one of the DLQ's source queues.
    /// </summary>
    public string? SourceQueue { get; init; }
    /// <summary>The DeadLetterQueueSourceArn system attribute AWS puts on messages its redrive policy moved.</summary>
    public string? DeadLetterQueueSourceArn { get; init; }
    public int? ReceiveCount { get; init; }
    public DateTimeOffset? FirstReceiveTime { get; init; }
    public DateTimeOffset? SentTime { get; init; }
    public string? Function { get; init; }
    public int RedriveCount { get; init; }
    public string? Device { get; init; }
    public string? GroupId { get; init; }
    /// <summary>What the message carries, from its body: telemetry, command, command-ack or command-status
    /// (<see cref="MessageContents"/>).</summary>
    public string Content => MessageContents.Of(Body, GroupId);
}
