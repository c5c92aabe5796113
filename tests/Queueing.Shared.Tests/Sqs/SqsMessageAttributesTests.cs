using Amazon.SQS.Model;
using Queueing.Shared.Events;
using Queueing.Shared.Sqs;

namespace Queueing.Shared.Tests.Sqs;

public sealed class SqsMessageAttributesTests
{
    [Fact]
    public void FromSdkThenToSdk_BinaryAndStringValues_SurviveByteForByte()
    {
        var binary = new MessageAttributeValue { DataType = "Binary.trace", BinaryValue = new MemoryStream([0, 1, 254, 255]) };
        var text = new MessageAttributeValue { DataType = "String", StringValue = "café ✓" };

        var binaryBack = SqsMessageAttributes.ToSdk(SqsMessageAttributes.FromSdk(binary));
        var textBack = SqsMessageAttributes.ToSdk(SqsMessageAttributes.FromSdk(text));

        Assert.Equal("Binary.trace", binaryBack.DataType);
        Assert.Equal(new byte[] { 0, 1, 254, 255 }, binaryBack.BinaryValue.ToArray());
        Assert.Null(binaryBack.StringValue);
        Assert.Equal("café ✓", textBack.StringValue);
        Assert.Null(textBack.BinaryValue);
    }

    [Fact]
    public void Number_Value_IsANumberAttributeInInvariantDigits()
    {
        var value = SqsMessageAttributes.Number(-1234567);

        Assert.Equal("Number", value.DataType);
        Assert.Equal("-1234567", value.StringValue);
    }

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

        var record = SqsMessage.FromReceived(message, "arn:aws:sqs:eu-west-1:123456789012:q.fifo", "eu-west-1");

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
        var record = SqsMessage.FromReceived(new Message { MessageId = "m", Body = "b" }, "arn:aws:sqs:us-east-1:1:q", "us-east-1");

        Assert.Empty(record.Attributes);
        Assert.Empty(record.MessageAttributes);
    }
}
