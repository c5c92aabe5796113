using System.Text.Json;
using Queueing.Contracts.Events;
using Queueing.Contracts.Json;
using Queueing.Shared.Tests.Support;

namespace Queueing.Shared.Tests.Events;

public sealed class SqsEventTests
{
    private static SqsEvent Load() => JsonSerializer.Deserialize(Fixture.Text("sqs-event.json"), SharedJsonContext.Default.SqsEvent)!;

    [Fact]
    public void Deserialize_StandardRecord_ReadsEveryField()
    {
        var record = Load().Records[0];

        Assert.Equal("059f36b4-87a3-44ab-83d2-661975830a7d", record.MessageId);
        Assert.Equal("AQEBwJnKyrHigUMZj6rYigCgxlaS3SLy0a...", record.ReceiptHandle);
        Assert.Equal("""{"lightValue":412,"timestamp":1764288000000,"deviceId":"lamp-1","receivedAt":1764288000123}""", record.Body);
        Assert.Equal("e4e68fb7bd0e697a0ae8f1bb342846b3", record.Md5OfBody);
        Assert.Equal("9f7a8c5e2c6a1b8bdbc2a5f0c6c6f4a1", record.Md5OfMessageAttributes);
        Assert.Equal("aws:sqs", record.EventSource);
        Assert.Equal("arn:aws:sqs:eu-west-1:123456789012:queueing-IngestQueue", record.EventSourceArn);
        Assert.Equal("eu-west-1", record.AwsRegion);
        Assert.Equal(3, record.ReceiveCount);
        Assert.Equal(DateTimeOffset.FromUnixTimeMilliseconds(1764288000123), record.SentTime);
        Assert.Equal(DateTimeOffset.FromUnixTimeMilliseconds(1764288000456), record.FirstReceiveTime);
        Assert.Equal("AIDAIENQZJOLO23YVJ4VO", record.Attributes[SqsAttributeNames.SenderId]);
        Assert.StartsWith("Root=1-5759e988", record.Attributes[SqsAttributeNames.AwsTraceHeader], StringComparison.Ordinal);
        Assert.Null(record.MessageGroupId);
        Assert.Null(record.MessageDeduplicationId);
        Assert.Null(record.SequenceNumber);
    }

    [Fact]
    public void Deserialize_MessageAttributes_ReadsEveryDataTypeAndListValues()
    {
        var attributes = Load().Records[0].MessageAttributes;

        Assert.Equal(5, attributes.Count);
        Assert.Equal(("String", "café ✓"), (attributes["Text"].DataType, attributes["Text"].StringValue));
        Assert.Equal(("Number", "-12.5e3"), (attributes["Amount"].DataType, attributes["Amount"].StringValue));
        Assert.Equal("Binary", attributes["Blob"].DataType);
        Assert.Equal(new byte[] { 0, 1, 2, 3, 4, 255 }, attributes["Blob"].BinaryValue);
        Assert.Null(attributes["Blob"].StringValue);
        Assert.Equal(("Number.int", "42"), (attributes["Custom"].DataType, attributes["Custom"].StringValue));
        var lists = attributes["Lists"];
        Assert.Equal("String.list", lists.DataType);
        Assert.Null(lists.BinaryValue);
        Assert.Equal(["a1", "a2"], lists.StringListValues!);
        Assert.Equal(["Vermithrax", "Pejorative"], lists.BinaryListValues!.Select(System.Text.Encoding.ASCII.GetString));
        Assert.Empty(attributes["Text"].StringListValues!);
        Assert.Empty(attributes["Text"].BinaryListValues!);
    }

    [Fact]
    public void Deserialize_FifoRecord_ReadsGroupDeduplicationAndSequence()
    {
        var record = Load().Records[1];

        Assert.Equal("lamp-1", record.MessageGroupId);
        Assert.Equal("c-1", record.MessageDeduplicationId);
        Assert.Equal("18849496460467696128", record.SequenceNumber);
        Assert.Equal(1, record.ReceiveCount);
        Assert.Equal("c-1", record.MessageAttributes["Queueing.CommandId"].StringValue);
        Assert.EndsWith(".fifo", record.EventSourceArn, StringComparison.Ordinal);
        Assert.Null(record.Md5OfMessageAttributes);
    }

    [Fact]
    public void Serialize_Fixture_RoundTripsToTheSameJsonWithLambdaNames()
    {
        var json = JsonSerializer.Serialize(Load(), SharedJsonContext.Default.SqsEvent);

        // Exact member set: the derived helpers (ReceiveCount, MessageGroupId, ...) must not appear on the wire.
        Fixture.AssertSameJson(Fixture.Text("sqs-event.json"), json);
    }

    [Fact]
    public void Deserialize_HandMadeEventWithNullsAndMissingMembers_LeavesEmptyCollections()
    {
        var sqsEvent = JsonSerializer.Deserialize("""{"Records":[{"messageId":"m1","body":null,"attributes":null,"messageAttributes":null},{}]}""", SharedJsonContext.Default.SqsEvent)!;

        Assert.Equal(2, sqsEvent.Records.Count);
        var first = sqsEvent.Records[0];
        Assert.Equal("", first.Body);
        Assert.Empty(first.Attributes);
        Assert.Empty(first.MessageAttributes);
        Assert.Equal(1, first.ReceiveCount);
        Assert.Null(first.FirstReceiveTime);
        Assert.Equal("", sqsEvent.Records[1].MessageId);
        Assert.Empty(JsonSerializer.Deserialize("""{"Records":null}""", SharedJsonContext.Default.SqsEvent)!.Records);
    }

    [Theory]
    [InlineData("0", 0)]
    [InlineData("-2", 1)]
    [InlineData("abc", 1)]
    [InlineData("7", 7)]
    public void ReceiveCount_AttributeValue_ParsesOrFallsBackToFirstDelivery(string value, int expected)
    {
        var record = new SqsMessage { Attributes = { [SqsAttributeNames.ApproximateReceiveCount] = value } };

        Assert.Equal(expected, record.ReceiveCount);
    }

    [Fact]
    public void BatchResponse_Fixture_RoundTrips()
    {
        var response = JsonSerializer.Deserialize(Fixture.Text("sqs-batch-response.json"), SharedJsonContext.Default.SqsBatchResponse)!;

        Assert.Equal(["059f36b4-87a3-44ab-83d2-661975830a7d", "2e1424d4-f796-459a-8184-9c92662be6da"], response.BatchItemFailures.Select(f => f.ItemIdentifier));
        Fixture.AssertSameJson(Fixture.Text("sqs-batch-response.json"), JsonSerializer.Serialize(response, SharedJsonContext.Default.SqsBatchResponse));
    }

    [Fact]
    public void BatchResponse_NoFailures_SerialisesAnEmptyList()
    {
        // Lambda reads an empty list as "the whole batch succeeded".
        Assert.Equal("""{"batchItemFailures":[]}""", JsonSerializer.Serialize(new SqsBatchResponse(), SharedJsonContext.Default.SqsBatchResponse));
    }
}
