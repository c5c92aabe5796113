using Amazon.SQS.Model;
using Queueing.Contracts.Events;
using Queueing.Contracts.Sqs;

namespace Queueing.Testing;

/// <summary>
/// The record Lambda's SQS event source builds from a received message, for tests that play the event source
/// without the tool. Kept on purpose beside the tool's own (src/Local/EventSources/ReceivedMessages): Queueing.Testing
/// does not reference the tool; <c>ReceivedMessagesTests</c> in Queueing.Local.Tests pins the two to the same JSON.
/// </summary>
public static class ReceivedRecord
{
    public static SqsMessage From(Message message, string queueArn, string awsRegion) => new()
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
        MessageAttributes = (message.MessageAttributes ?? []).ToDictionary(a => a.Key, a => WithEmptyLists(SqsMessageAttributes.FromSdk(a.Value)), StringComparer.Ordinal),
    };

    // Lambda sends the (unused) list members of every message attribute as empty arrays.
    private static SqsMessageAttribute WithEmptyLists(SqsMessageAttribute attribute)
    {
        attribute.StringListValues = [];
        attribute.BinaryListValues = [];
        return attribute;
    }
}
