using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using Queueing.Contracts.Events;
using Queueing.Contracts.Json;
using Queueing.Contracts.Runtime;
using Queueing.Shared.Tests.Support;

namespace Queueing.Shared.Tests.Events;

public sealed class SqsEventReaderTests
{
    private static SqsRecordBatch Read(string json) => SqsEventReader.Read(Encoding.UTF8.GetBytes(json));

    private static string Body(in SqsRecord record) => Encoding.UTF8.GetString(record.Body.Span);

    /// <summary>What the serialiser makes of the same bytes: the model the reader must agree with.</summary>
    private static SqsEvent? Model(string json) => JsonSerializer.Deserialize(json, SharedJsonContext.Default.SqsEvent);

    [Fact]
    public void Read_SampleEvent_ReadsEveryFieldTheFunctionsUse()
    {
        using var batch = Read(Fixture.Text("sqs-event.json"));

        Assert.Equal(2, batch.Count);
        var standard = batch[0];
        Assert.Equal("059f36b4-87a3-44ab-83d2-661975830a7d", standard.MessageId);
        Assert.Equal("""{"lightValue":412,"timestamp":1764288000000,"deviceId":"lamp-1","receivedAt":1764288000123}""", Body(standard));
        Assert.Equal("arn:aws:sqs:eu-west-1:123456789012:queueing-IngestQueue", standard.EventSourceArn);
        Assert.Equal(3, standard.ReceiveCount);
        Assert.Equal(DateTimeOffset.FromUnixTimeMilliseconds(1764288000123), standard.SentTime);
        Assert.Equal(DateTimeOffset.FromUnixTimeMilliseconds(1764288000456), standard.FirstReceiveTime);
        Assert.Equal("Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1", standard.TraceHeader);
        Assert.Null(standard.MessageGroupId);
        var attributes = JsonDocument.Parse(standard.MessageAttributesJson).RootElement;
        Assert.Equal(["Text", "Amount", "Blob", "Custom", "Lists"], attributes.EnumerateObject().Select(a => a.Name));
        Assert.Equal("café ✓", attributes.GetProperty("Text").GetProperty("stringValue").GetString());

        var fifo = batch[1];
        Assert.Equal("lamp-1", fifo.MessageGroupId);
        Assert.Equal(1, fifo.ReceiveCount);
        Assert.EndsWith(".fifo", fifo.EventSourceArn, StringComparison.Ordinal);
        Assert.Null(fifo.TraceHeader);
        Assert.StartsWith("{\"commandId\":\"c-1\"", Body(fifo), StringComparison.Ordinal);
    }

    [Fact]
    public void Read_BodyWithEscapes_IsUnescapedToUtf8()
    {
        // What an IoT rule's JSON body looks like in the event, plus every other kind of escape.
        const string Json = """{"Records":[{"messageId":"m","body":"{\"d\":\"a\\\\b\",\"s\":\"x\/y\",\"e\":\"caf\u00e9 \uD83D\uDE80 \u65E5\",\"t\":\"\t\"}"}]}""";

        using var batch = Read(Json);

        Assert.Equal("{\"d\":\"a\\\\b\",\"s\":\"x/y\",\"e\":\"café 🚀 日\",\"t\":\"\t\"}", Body(batch[0]));
        Assert.Equal(Encoding.UTF8.GetBytes(Model(Json)!.Records[0].Body), batch[0].Body.ToArray());
    }

    [Fact]
    public void Read_BodyWithoutEscapes_IsASliceOfThePayloadNotACopy()
    {
        var payload = Encoding.UTF8.GetBytes("""{"Records":[{"messageId":"m","body":"plain café text"}]}""");

        using var batch = SqsEventReader.Read(payload);

        Assert.True(MemoryMarshal.TryGetArray(batch[0].Body, out var segment));
        Assert.Same(payload, segment.Array);
        Assert.Equal("plain café text", Body(batch[0]));
    }

    [Fact]
    public void Read_EscapedBodies_ShareOneBufferForTheWholeEvent()
    {
        using var batch = SqsEventReader.Read(WrittenEvents.Bytes(
            new SqsMessage { MessageId = "a", Body = "{\"n\":1}" },
            new SqsMessage { MessageId = "b", Body = "{\"n\":2}" }));

        Assert.True(MemoryMarshal.TryGetArray(batch[0].Body, out var first));
        Assert.True(MemoryMarshal.TryGetArray(batch[1].Body, out var second));
        Assert.Same(first.Array, second.Array);
        Assert.Equal(["{\"n\":1}", "{\"n\":2}"], [Body(batch[0]), Body(batch[1])]);
    }

    [Fact]
    public void Read_VeryLargeBodiesAndManyRecords_ReadIntact()
    {
        // 3 MiB bodies full of escapes beside 2,000 small ones: the body buffer must hold them all.
        var large = "{\"blob\":\"" + string.Concat(Enumerable.Repeat("\\\"é🚀/", 300_000)) + "\"}";
        var records = new List<SqsMessage> { new() { MessageId = "large-1", Body = large } };
        records.AddRange(Enumerable.Range(0, 2000).Select(i => new SqsMessage { MessageId = $"m{i}", Body = $"{{\"n\":{i}}}" }));
        records.Add(new SqsMessage { MessageId = "large-2", Body = large });

        using var batch = SqsEventReader.Read(WrittenEvents.Bytes([.. records]));

        Assert.Equal(2002, batch.Count);
        Assert.Equal(large, Body(batch[0]));
        Assert.Equal(large, Body(batch[2001]));
        Assert.Equal("{\"n\":1999}", Body(batch[2000]));
        Assert.Equal("m1999", batch[2000].MessageId);
    }

    [Fact]
    public void Read_MembersInAnyOrderAndUnknownMembersOfEveryType_ReadsTheKnownOnes()
    {
        const string Json = """
            {"x":{"Records":[{"messageId":"decoy"}]},"Records":[{
              "awsRegion":"eu-west-1","unknownObject":{"a":[1,{"b":null}],"messageId":"decoy"},"attributes":{
                "SenderId":"s","ApproximateFirstReceiveTimestamp":"20","Other":null,"AWSTraceHeader":"Root=1",
                "MessageGroupId":"g\u002D1","SentTimestamp":"10","ApproximateReceiveCount":"4"},
              "unknownArray":[[],{},"body",1.5e3,true],"eventSourceARN":"arn:q","unknownNumber":-0.5,
              "unknownTrue":true,"unknownFalse":false,"unknownNull":null,"unknownString":"body",
              "Body":"wrong case","MessageId":"wrong case","body":"the body","message\u0049d":"id-1",
              "messageAttributes":{"A":{"dataType":"String","extra":[1],"stringValue":"v"}},"receiptHandle":"rh"}],
             "trailing":[1,2,{"3":4}]}
            """;

        using var batch = Read(Json);

        var record = Assert.Single(batch.Records.ToArray());
        Assert.Equal("id-1", record.MessageId);
        Assert.Equal("the body", Body(record));
        Assert.Equal("arn:q", record.EventSourceArn);
        Assert.Equal(4, record.ReceiveCount);
        Assert.Equal(10, record.SentTimestamp);
        Assert.Equal(20, record.FirstReceiveTimestamp);
        Assert.Equal("g-1", record.MessageGroupId);
        Assert.Equal("Root=1", record.TraceHeader);
        Assert.Equal("""{"A":{"dataType":"String","extra":[1],"stringValue":"v"}}""", Encoding.UTF8.GetString(record.MessageAttributesJson.Span));
        var model = Model(Json)!.Records.Single();
        Assert.Equal((model.MessageId, model.Body, model.ReceiveCount, model.MessageGroupId), (record.MessageId, Body(record), record.ReceiveCount, record.MessageGroupId));
    }

    [Fact]
    public void Read_UnknownAndUnusedMembers_AllocateNothing()
    {
        static string Event(string extra) => "{\"Records\":[" + string.Join(",", Enumerable.Range(0, 10).Select(i =>
            $$"""{"messageId":"m{{i}}","body":"plain","receiptHandle":"AQEB{{i}}","md5OfBody":"0","awsRegion":"r","attributes":{"SenderId":"s","ApproximateReceiveCount":"2"}{{extra}}}""")) + "]}";
        var unknown = string.Concat(Enumerable.Range(0, 200).Select(i =>
            $$""","u{{i}}":{"a":[1,2.5e3,"text \u00e9",{"b":null}],"c":"{{new string('x', 50)}}","d":true},"s{{i}}":"str","n{{i}}":-1.5""")) + ",\"attributes2\":{\"Other\":\"x\"}";
        var plain = Encoding.UTF8.GetBytes(Event(""));
        var padded = Encoding.UTF8.GetBytes(Event(unknown));
        Measure(plain);
        Measure(padded);

        var plainBytes = Measure(plain);
        var paddedBytes = Measure(padded);

        // 2,000 unknown members (objects, arrays, strings, numbers) per event: any per-member allocation would show.
        // The margin covers a record array taken afresh when a test running beside this one holds the spare.
        Assert.InRange(paddedBytes - plainBytes, -4096, 4096);
        Assert.True(padded.Length > 50 * plain.Length / 10);

        static long Measure(byte[] payload)
        {
            var before = GC.GetAllocatedBytesForCurrentThread();
            using (var batch = SqsEventReader.Read(payload))
            {
                Assert.Equal(10, batch.Count);
            }

            return GC.GetAllocatedBytesForCurrentThread() - before;
        }
    }

    [Fact]
    public void Read_MissingOptionalMembers_GiveTheModelsDefaults()
    {
        using var batch = Read("""{"Records":[{},{"messageId":null,"body":null,"attributes":null,"messageAttributes":null,"eventSourceARN":null},{"attributes":{}}]}""");

        Assert.Equal(3, batch.Count);
        foreach (var record in batch.Records)
        {
            Assert.Equal("", record.MessageId);
            Assert.True(record.Body.IsEmpty);
            Assert.Null(record.EventSourceArn);
            Assert.Equal(1, record.ReceiveCount);
            Assert.Null(record.SentTime);
            Assert.Null(record.FirstReceiveTime);
            Assert.Null(record.MessageGroupId);
            Assert.Null(record.TraceHeader);
            Assert.True(record.MessageAttributesJson.IsEmpty);
        }
    }

    [Theory]
    [InlineData("{}")]
    [InlineData("""{"Records":null}""")]
    [InlineData("""{"Records":[]}""")]
    [InlineData("""  {"Other":[{"messageId":"m"}]}  """)]
    public void Read_NoRecords_IsAnEmptyBatch(string json)
    {
        using var batch = Read(json);

        Assert.Equal(0, batch.Count);
        Assert.Empty(Model(json)!.Records);
    }

    [Fact]
    public void Read_RepeatedMembers_LastOneWinsAsInTheModel()
    {
        const string Json = """
            {"Records":[{"messageId":"ignored"}],"Records":[{
              "messageId":"first","body":"b1","messageId":"second","body":"b2",
              "attributes":{"ApproximateReceiveCount":"5","MessageGroupId":"g-old","SentTimestamp":"9"},
              "attributes":{"ApproximateReceiveCount":"6","ApproximateReceiveCount":"7","AWSTraceHeader":"t"},
              "eventSourceARN":"arn:1","eventSourceARN":"arn:2",
              "messageAttributes":{"A":{"stringValue":"x"}},"messageAttributes":{"B":{"stringValue":"y"}}}]}
            """;

        using var batch = Read(Json);
        var model = Model(Json)!;

        var record = Assert.Single(batch.Records.ToArray());
        var expected = model.Records.Single();
        Assert.Equal(("second", "b2", 7, "arn:2"), (record.MessageId, Body(record), record.ReceiveCount, record.EventSourceArn));
        Assert.Equal((expected.MessageId, expected.Body, expected.ReceiveCount, expected.EventSourceArn), (record.MessageId, Body(record), record.ReceiveCount, record.EventSourceArn));
        // The second attributes map replaced the first: no group id, no sent time any more.
        Assert.Null(record.MessageGroupId);
        Assert.Null(record.SentTime);
        Assert.Equal((expected.MessageGroupId, expected.SentTime), (record.MessageGroupId, record.SentTime));
        Assert.Equal("t", record.TraceHeader);
        Assert.Equal("""{"B":{"stringValue":"y"}}""", Encoding.UTF8.GetString(record.MessageAttributesJson.Span));
        Assert.Equal(["B"], expected.MessageAttributes.Keys);
    }

    [Theory]
    [InlineData("3", 3)]
    [InlineData("0", 0)]
    [InlineData("007", 7)]
    [InlineData("-2", 1)]
    [InlineData("+2", 1)]
    [InlineData(" 2", 1)]
    [InlineData("abc", 1)]
    [InlineData("2147483648", 1)]
    [InlineData("\\u0037", 7)]
    public void Read_ReceiveCount_ParsedAsTheModelParsesIt(string value, int expected)
    {
        var json = $$$"""{"Records":[{"attributes":{"ApproximateReceiveCount":"{{{value}}}"}}]}""";

        using var batch = Read(json);

        Assert.Equal(expected, batch[0].ReceiveCount);
        Assert.Equal(expected, Model(json)!.Records[0].ReceiveCount);
    }

    [Fact]
    public void Read_RecordsOfOneQueue_ShareOneArnString()
    {
        using var batch = SqsEventReader.Read(WrittenEvents.Bytes(
            new SqsMessage { MessageId = "a", EventSourceArn = "arn:aws:sqs:us-east-1:123456789012:IngestQueue" },
            new SqsMessage { MessageId = "b", EventSourceArn = "arn:aws:sqs:us-east-1:123456789012:IngestQueue" },
            new SqsMessage { MessageId = "c", EventSourceArn = "arn:aws:sqs:us-east-1:123456789012:Other" }));

        Assert.Same(batch[0].EventSourceArn, batch[1].EventSourceArn);
        Assert.Equal("arn:aws:sqs:us-east-1:123456789012:Other", batch[2].EventSourceArn);
    }

    [Theory]
    [InlineData("not json")]
    [InlineData("")]
    [InlineData("[]")]
    [InlineData("5")]
    [InlineData("\"Records\"")]
    [InlineData("""{"Records":"many"}""")]
    [InlineData("""{"Records":{}}""")]
    [InlineData("""{"Records":[5]}""")]
    [InlineData("""{"Records":[{"messageId":5}]}""")]
    [InlineData("""{"Records":[{"body":{"a":1}}]}""")]
    [InlineData("""{"Records":[{"receiptHandle":true}]}""")]
    [InlineData("""{"Records":[{"awsRegion":[]}]}""")]
    [InlineData("""{"Records":[{"attributes":[]}]}""")]
    [InlineData("""{"Records":[{"attributes":{"SentTimestamp":1}}]}""")]
    [InlineData("""{"Records":[{"attributes":{"SenderId":{}}}]}""")]
    [InlineData("""{"Records":[{"messageAttributes":"x"}]}""")]
    [InlineData("""{"Records":[{"messageAttributes":{"A":"x"}}]}""")]
    [InlineData("""{"Records":[{"messageAttributes":{"A":{"stringValue":1}}}]}""")]
    [InlineData("""{"Records":[{"messageAttributes":{"A":{"binaryValue":"not base64!"}}}]}""")]
    [InlineData("""{"Records":[{"messageAttributes":{"A":{"stringListValues":[1]}}}]}""")]
    [InlineData("""{"Records":[{"messageAttributes":{"A":{"binaryListValues":"AA=="}}}]}""")]
    [InlineData("""{"Records":[{"body":"lone \uD800 surrogate"}]}""")]
    [InlineData("""{"Records":[{"messageId":"m"}]} trailing""")]
    [InlineData("""{"Records":[{"messageId":"m"}],}""")]
    [InlineData("""{"Records":[{"messageId":"m"} /* comment */]}""")]
    [InlineData("""{"Records":[{"messageId":"m""")]
    public void Read_EventTheModelRefuses_IsRefusedAsInvalidEvent(string json)
    {
        var error = Assert.Throws<InvalidEventException>(() => Read(json));

        Assert.StartsWith("The event is not a valid SqsEvent: ", error.Message, StringComparison.Ordinal);
        Assert.ThrowsAny<JsonException>(() => Model(json));
    }

    [Theory]
    [InlineData("null")]
    [InlineData("  null  ")]
    public void Read_JsonNull_IsRefusedAsTheModelFunctionRefusedIt(string json)
    {
        var error = Assert.Throws<InvalidEventException>(() => Read(json));

        Assert.Equal("The event is JSON null; expected a SqsEvent.", error.Message);
        Assert.Null(Model(json));
    }

    [Fact]
    public void Read_InvalidUtf8InTheBody_IsRefused()
    {
        var payload = Encoding.UTF8.GetBytes("""{"Records":[{"body":"ab"}]}""");
        payload[Array.IndexOf(payload, (byte)'a')] = 0xFF;

        Assert.Throws<InvalidEventException>(() => SqsEventReader.Read(payload));
        Assert.ThrowsAny<JsonException>(() => JsonSerializer.Deserialize(payload, SharedJsonContext.Default.SqsEvent));
    }

    [Fact]
    public void Read_NullRecord_IsRefusedWithItsPosition()
    {
        // The model let a null record through, for the handler to fail on later with a NullReferenceException.
        var error = Assert.Throws<InvalidEventException>(() => Read("""{"Records":[{"messageId":"m"},null]}"""));

        Assert.Contains("$.Records[1] must be a record object, got a JSON null", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Dispose_ReturnsTheBuffers_AndLeavesAnEmptyBatch()
    {
        var batch = SqsEventReader.Read(WrittenEvents.Bytes(new SqsMessage { MessageId = "a", Body = "{\"n\":1}" }));

        batch.Dispose();
        batch.Dispose();

        Assert.Equal(0, batch.Count);
        Assert.True(batch.Records.IsEmpty);
    }

    [Fact]
    public void Read_EventsOneAfterAnotherAndSideBySide_NeverShareBuffersWhileAlive()
    {
        // Buffers are reused from one event to the next; a batch still alive must keep its own.
        using var alive = SqsEventReader.Read(WrittenEvents.Bytes(new SqsMessage { MessageId = "a", Body = "{\"alive\":1}" }));
        for (var i = 0; i < 5; i++)
        {
            using var next = SqsEventReader.Read(WrittenEvents.Bytes(
                new SqsMessage { MessageId = $"n{i}", Body = $"{{\"next\":{i}}}" },
                new SqsMessage { MessageId = $"m{i}", Body = new string('x', 100 * i) }));

            Assert.Equal([$"n{i}", $"m{i}"], [next[0].MessageId, next[1].MessageId]);
            Assert.Equal($"{{\"next\":{i}}}", Body(next[0]));
            Assert.Equal(new string('x', 100 * i), Body(next[1]));
        }

        Assert.Equal("{\"alive\":1}", Body(alive[0]));
        Assert.Equal("a", alive[0].MessageId);
    }

    [Theory]
    [InlineData()]
    [InlineData("059f36b4-87a3-44ab-83d2-661975830a7d")]
    [InlineData("a", "b+c/d=", "<&>'\"\\é🚀\u0001", "")]
    public void ResponseWriter_Failures_WritesTheBytesTheModelSerialises(params string[] ids)
    {
        var writer = new SqsBatchResponseWriter();
        foreach (var id in ids)
        {
            writer.AddFailure(id);
        }

        var expected = JsonSerializer.SerializeToUtf8Bytes(
            new SqsBatchResponse { BatchItemFailures = [.. ids.Select(id => new BatchItemFailure { ItemIdentifier = id })] },
            SharedJsonContext.Default.SqsBatchResponse);
        Assert.Equal(ids.Length, writer.Failures);
        Assert.Equal(Encoding.UTF8.GetString(expected), Encoding.UTF8.GetString(writer.ToBytes()));
    }
}
