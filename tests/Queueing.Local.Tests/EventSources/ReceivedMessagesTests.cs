using System.Text.Json;
using Amazon.SQS.Model;
using Queueing.Contracts.Events;
using Queueing.Contracts.Json;
using Queueing.Local.EventSources;
using Queueing.Testing;

namespace Queueing.Local.Tests.EventSources;

public sealed class ReceivedMessagesTests
{
    [Fact]
    public void FromReceived_SdkMessage_BecomesTheRecordLambdaSends()
    {
        var message = new Message
        {
            MessageId = "m-1",
            ReceiptHandle = "rh-1",
            Body = "{}",
            MD5OfBody = "99914b932bd37a50b983c5e7c90ae93b",
            MD5OfMessageAttributes = "md5-attributes",
            Attributes = new() { ["ApproximateReceiveCount"] = "3", ["MessageGroupId"] = "lamp-1" },
            MessageAttributes = new() { ["Trace"] = new MessageAttributeValue { DataType = "Binary", BinaryValue = new MemoryStream([7]) } },
        };

        var record = ReceivedMessages.ToRecord(message, "arn:aws:sqs:eu-west-1:123456789012:q.fifo", "eu-west-1");

        Assert.Equal(("m-1", "rh-1", "{}"), (record.MessageId, record.ReceiptHandle, record.Body));
        Assert.Equal(("99914b932bd37a50b983c5e7c90ae93b", "md5-attributes"), (record.Md5OfBody, record.Md5OfMessageAttributes));
        Assert.Equal(("aws:sqs", "arn:aws:sqs:eu-west-1:123456789012:q.fifo", "eu-west-1"), (record.EventSource, record.EventSourceArn, record.AwsRegion));
        Assert.Equal(3, record.ReceiveCount);
        Assert.Equal("lamp-1", record.MessageGroupId);
        Assert.Equal(new byte[] { 7 }, record.MessageAttributes["Trace"].BinaryValue);
        Assert.Equal((0, 0), (record.MessageAttributes["Trace"].StringListValues!.Count, record.MessageAttributes["Trace"].BinaryListValues!.Count));
    }

    [Fact]
    public void FromReceived_NoAttributesAtAll_GivesEmptyDictionaries()
    {
        // AWSSDK v4 leaves empty response collections null.
        var record = ReceivedMessages.ToRecord(new Message { MessageId = "m", Body = "b" }, "arn:aws:sqs:us-east-1:1:q", "us-east-1");

        Assert.Empty(record.Attributes);
        Assert.Empty(record.MessageAttributes);
    }

    [Fact]
    public void TestsRecord_SameJsonAsTheEventSources()
    {
        // Queueing.Testing builds records on its own (it does not reference the tool): the two must not drift.
        var message = new Message
        {
            MessageId = "m-2",
            ReceiptHandle = "rh-2",
            Body = "{\"a\":1}",
            MD5OfBody = "md5-body",
            MD5OfMessageAttributes = "md5-attributes",
            Attributes = new() { ["ApproximateReceiveCount"] = "1", ["SentTimestamp"] = "1700000000000", ["MessageGroupId"] = "g" },
            MessageAttributes = new()
            {
                ["Trace"] = new MessageAttributeValue { DataType = "Binary", BinaryValue = new MemoryStream([1, 2]) },
                ["Kind"] = new MessageAttributeValue { DataType = "String", StringValue = "x" },
                ["Count"] = new MessageAttributeValue { DataType = "Number", StringValue = "3" },
            },
        };

        Assert.Equal(Json(ReceivedMessages.ToRecord(message, "arn:aws:sqs:us-east-1:1:q", "us-east-1")), Json(ReceivedRecord.From(message, "arn:aws:sqs:us-east-1:1:q", "us-east-1")));
        Assert.Equal(Json(ReceivedMessages.ToRecord(new Message { MessageId = "m", Body = "b" }, "arn", "r")), Json(ReceivedRecord.From(new Message { MessageId = "m", Body = "b" }, "arn", "r")));
    }

    private static string Json(SqsMessage record) =>
        JsonSerializer.Serialize(new SqsEvent { Records = [record] }, SharedJsonContext.Default.SqsEvent);
}
