using Amazon.SQS.Model;
using Queueing.Redrive.Messages;

namespace Queueing.Redrive.Tests.Messages;

public sealed class DeadLetterReaderTests
{
    [Fact]
    public void Read_ParkedMessage_TakesTheReasonFromQueueingAttributes()
    {
        var letter = DeadLetterReader.Read(new Message
        {
            MessageId = "m1",
            Body = "{\"deviceId\":\"lamp-1\",\"lightValue\":1}",
            Attributes = new() { ["SentTimestamp"] = "1764230400000", ["ApproximateReceiveCount"] = "7" },
            MessageAttributes = new()
            {
                ["Queueing.Kind"] = new() { DataType = "String", StringValue = "rejected" },
                ["Queueing.Error"] = new() { DataType = "String", StringValue = "Waylay answered 400" },
                ["Queueing.SourceQueue"] = new() { DataType = "String", StringValue = "arn:aws:sqs:us-east-1:123456789012:stack-IngestQueue" },
                ["Queueing.ReceiveCount"] = new() { DataType = "Number", StringValue = "3" },
                ["Queueing.FirstReceiveTime"] = new() { DataType = "String", StringValue = "2026-11-27T08:00:00.000Z" },
                ["Queueing.Function"] = new() { DataType = "String", StringValue = "ingest" },
                ["Queueing.RedriveCount"] = new() { DataType = "Number", StringValue = "2" },
            },
        });

        Assert.Equal("rejected", letter.Kind);
        Assert.Equal("Waylay answered 400", letter.Error);
        Assert.Equal("arn:aws:sqs:us-east-1:123456789012:stack-IngestQueue", letter.SourceQueue);
        Assert.Equal(3, letter.ReceiveCount);
        Assert.Equal(new DateTimeOffset(2026, 11, 27, 8, 0, 0, TimeSpan.Zero), letter.FirstReceiveTime);
        Assert.Equal(DateTimeOffset.FromUnixTimeMilliseconds(1764230400000), letter.SentTime);
        Assert.Equal("ingest", letter.Function);
        Assert.Equal(2, letter.RedriveCount);
        Assert.Equal("lamp-1", letter.Device);
    }

    [Fact]
    public void Read_MessageWithoutReason_IsUnknownWithTheSqsReceiveCountAndGroupAsDevice()
    {
        var letter = DeadLetterReader.Read(new Message
        {
            MessageId = "m2",
            Body = "not json",
            Attributes = new() { ["ApproximateReceiveCount"] = "5", ["MessageGroupId"] = "lamp-4", ["DeadLetterQueueSourceArn"] = "arn:aws:sqs:us-east-1:123456789012:src" },
        });

        Assert.Equal("unknown", letter.Kind);
        Assert.Contains("no reason recorded", letter.Error);
        Assert.Equal(5, letter.ReceiveCount);
        Assert.Equal("lamp-4", letter.Device);
        Assert.Null(letter.SourceQueue);
        Assert.Equal("arn:aws:sqs:us-east-1:123456789012:src", letter.DeadLetterQueueSourceArn);
        Assert.Equal(0, letter.RedriveCount);
    }

    [Fact]
    public void Read_BodyDeviceId_WinsOverTheGroup() =>
        Assert.Equal("lamp-1", DeadLetterReader.Read(new Message
        {
            MessageId = "m3",
            Body = "{\"commandId\":\"c1\",\"deviceId\":\"lamp-1\"}",
            Attributes = new() { ["MessageGroupId"] = "other" },
        }).Device);

    [Fact]
    public void Read_IotRuleErrorReport_IsRuleErrorWithEveryFailureAndTheTopicsDevice()
    {
        var letter = DeadLetterReader.Read(new Message
        {
            MessageId = "m4",
            Body = "{\"ruleName\":\"TelemetryRule\",\"topic\":\"devices/lamp-7/telemetry\",\"clientId\":\"c\",\"base64OriginalPayload\":\"e30=\"," +
                "\"failures\":[{\"failedAction\":\"SqsAction\",\"failedResource\":\"q\",\"errorMessage\":\"AccessDenied\"},{\"failedAction\":\"S3Action\",\"errorMessage\":\"NoSuchBucket\"}]}",
        });

        Assert.Equal("rule-error", letter.Kind);
        Assert.Equal("SqsAction: AccessDenied; S3Action: NoSuchBucket", letter.Error);
        Assert.Equal("lamp-7", letter.Device);
    }

    [Fact]
    public void Read_ParkedLegacyRuleRecord_TheDeviceIsTheClientId()
    {
        var letter = DeadLetterReader.Read(new Message
        {
            MessageId = "m6",
            Body = "{\"clientId\":\"lamp-9\",\"topic\":\"sensors/light\",\"receivedAt\":1,\"base64OriginalPayload\":\"e30=\"}",
            MessageAttributes = new() { ["Queueing.Kind"] = new() { DataType = "String", StringValue = "rejected" } },
        });

        Assert.Equal("lamp-9", letter.Device);
    }

    [Fact]
    public void Read_LegacyRuleErrorReport_TheDeviceIsTheClientIdNotATopicLevel()
    {
        var letter = DeadLetterReader.Read(new Message
        {
            MessageId = "m7",
            Body = "{\"ruleName\":\"queueing_LegacyTelemetryRule\",\"topic\":\"sensors/light\",\"clientId\":\"lamp-9\",\"base64OriginalPayload\":\"e30=\"," +
                "\"failures\":[{\"failedAction\":\"SqsAction\",\"errorMessage\":\"AccessDenied\"}]}",
        });

        Assert.Equal("rule-error", letter.Kind);
        Assert.Equal("lamp-9", letter.Device);
    }

    [Fact]
    public void Read_SourceQueueUnknown_IsNoRecordedSource() =>
        Assert.Null(DeadLetterReader.Read(new Message
        {
            MessageId = "m5",
            Body = "{}",
            MessageAttributes = new() { ["Queueing.Kind"] = new() { DataType = "String", StringValue = "malformed" }, ["Queueing.SourceQueue"] = new() { DataType = "String", StringValue = "unknown" } },
        }).SourceQueue);
}
