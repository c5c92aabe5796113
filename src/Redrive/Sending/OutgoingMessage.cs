using Amazon.SQS.Model;

namespace Queueing.Redrive.Sending;

/// <summary>A message to send: <paramref name="Key"/> is the caller's id for it (the DLQ message id, a file line);
/// <paramref name="TraceHeader"/> the X-Ray trace it came with (its <c>AWSTraceHeader</c>), sent with it again.</summary>
internal sealed record OutgoingMessage(
    string Key,
    string Body,
    Dictionary<string, MessageAttributeValue> Attributes,
    string? GroupId,
    string? DeduplicationId,
    string? TraceHeader = null);

/// <summary>The result of one send: the new message id, or why it was not sent.</summary>
internal sealed record SendOutcome(string Key, string? MessageId, string? Error)
{
    public bool Sent => MessageId is not null;
}
