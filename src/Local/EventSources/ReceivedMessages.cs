using Amazon.SQS.Model;
using Queueing.Contracts.Events;
using Queueing.Contracts.Sqs;

namespace Queueing.Local.EventSources;

/// <summary>
/// The record Lambda's SQS event source hands a function for a message it received: the local event source (and
/// <c>generate-event</c>) play it this way. Not part of the event model: only the tool builds records from messages.
/// </summary>
internal static class ReceivedMessages
{
    public static SqsMessage ToRecord(Message message, string queueArn, string awsRegion) => new()
    {
        MessageId = message.MessageId,
        ReceiptHandle = message.ReceiptHandle,
        Body = message.Body,
        Md5OfBody = message.MD5OfBody,
        Md5OfMessageAttributes = message.MD5OfMessageAttributes,
        EventSource = "aws:sqs",
        EventSourceArn = queueArn,
        AwsRegion = awsRegion,
        Attributes = new Dictionary<string, string>(message.Attributes ?? [], StringComparer.Ordinal),
        MessageAttributes = (message.MessageAttributes ?? []).ToDictionary(a => a.Key, a => Delivered(SqsMessageAttributes.FromSdk(a.Value)), StringComparer.Ordinal),
    };

    // Lambda's records carry the (unused) list members of every message attribute as empty arrays.
    private static SqsMessageAttribute Delivered(SqsMessageAttribute attribute)
    {
        attribute.StringListValues ??= [];
        attribute.BinaryListValues ??= [];
        return attribute;
    }
}
