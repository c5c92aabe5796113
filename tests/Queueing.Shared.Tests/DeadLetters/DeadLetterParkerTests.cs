using System.Globalization;
using System.Text;
using Amazon.SQS;
using Amazon.SQS.Model;
using Microsoft.Extensions.Logging.Abstractions;
using Queueing.Contracts.DeadLetters;
using Queueing.Contracts.Events;
using Queueing.Shared.DeadLetters;
using Queueing.Shared.Tests.Support;
using Queueing.Testing;

namespace Queueing.Shared.Tests.DeadLetters;

/// <summary>Parking into real SQS queues (moto_server); every test counts what is in the DLQ afterwards.</summary>
public sealed class DeadLetterParkerTests : IClassFixture<MotoServer>, IDisposable
{
    private const string SourceArn = "arn:aws:sqs:us-east-1:123456789012:queueing-IngestQueue";
    private static readonly DateTimeOffset FirstReceive = new(2025, 11, 28, 10, 0, 0, 456, TimeSpan.Zero);
    private readonly AmazonSQSClient _sqs;

    private readonly SqsRequestLog _requests = new();
    private readonly AmazonSQSClient _logged;

    public DeadLetterParkerTests(MotoServer moto)
    {
        _sqs = moto.CreateSqs();
        _logged = moto.CreateSqs(_requests);
    }

    public void Dispose()
    {
        _sqs.Dispose();
        _logged.Dispose();
    }

    private async Task<string> CreateQueueAsync(bool fifo = false, int? maximumMessageSize = null)
    {
        var name = "dlq-" + Guid.NewGuid().ToString("N")[..12] + (fifo ? ".fifo" : "");
        var attributes = new Dictionary<string, string>();
        if (fifo)
        {
            attributes[QueueAttributeName.FifoQueue] = "true";
        }

        if (maximumMessageSize is { } size)
        {
            attributes[QueueAttributeName.MaximumMessageSize] = size.ToString(CultureInfo.InvariantCulture);
        }

        return (await _sqs.CreateQueueAsync(new CreateQueueRequest { QueueName = name, Attributes = attributes })).QueueUrl;
    }

    private DeadLetterParker Parker(string queueUrl) => new(_sqs, queueUrl, "queueing-ingest", NullLogger.Instance);

    /// <summary>A record written with the model, as the function reads it (the lean reader over the event's JSON).</summary>
    private static SqsRecord Record(string id, string body, int receiveCount = 3, string? groupId = null, Dictionary<string, SqsMessageAttribute>? attributes = null, string? traceHeader = null)
    {
        var record = new SqsMessage
        {
            MessageId = id,
            Body = body,
            EventSourceArn = groupId is null ? SourceArn : SourceArn + ".fifo",
            Attributes =
            {
                [SqsAttributeNames.ApproximateReceiveCount] = receiveCount.ToString(CultureInfo.InvariantCulture),
                [SqsAttributeNames.SentTimestamp] = FirstReceive.AddSeconds(-1).ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture),
                [SqsAttributeNames.ApproximateFirstReceiveTimestamp] = FirstReceive.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture),
            },
            MessageAttributes = attributes ?? [],
        };
        if (groupId is not null)
        {
            record.Attributes[SqsAttributeNames.MessageGroupId] = groupId;
        }

        if (traceHeader is not null)
        {
            record.Attributes[SqsAttributeNames.AwsTraceHeader] = traceHeader;
        }

        return WrittenEvents.Read(record);
    }

    /// <summary>Every message in the queue (received, then deleted so FIFO groups do not block the rest).</summary>
    private Task<List<Message>> DrainAsync(string queueUrl) => QueueReader.ReceiveAllAsync(_sqs, queueUrl, delete: true);

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task ParkAsync_RecordWithATrace_SendsItsAWSTraceHeaderWithTheParkedMessage(bool fifo)
    {
        const string Trace = "Root=1-692f8c00-0123456789abcdef01234567;Parent=89abcdef01234567;Sampled=1";
        var dlq = await CreateQueueAsync(fifo);
        var parker = new DeadLetterParker(_logged, dlq, "queueing-ingest", NullLogger.Instance);
        var group = fifo ? "lamp-1" : null;
        ParkRequest[] requests =
        [
            new(Record("traced", "{}", groupId: group, traceHeader: Trace), DeadLetterKind.Malformed, "bad"),
            new(Record("untraced", "{}", groupId: group), DeadLetterKind.Malformed, "bad"),
        ];

        var result = await parker.ParkAsync(requests, CancellationToken.None);

        Assert.Equal(["traced", "untraced"], result.Parked.Order());
        Assert.Equal(2, (await DrainAsync(dlq)).Count);
        // moto's SendMessageBatch drops system attributes (its SendMessage keeps them), so the request says what
        // SQS would keep: the entry of the traced record carries the header, the other none.
        var entries = Assert.Single(_requests.Of("SendMessageBatch"))["Entries"]!.AsArray();
        Assert.Equal(2, entries.Count);
        var traced = entries[0]!["MessageSystemAttributes"]!["AWSTraceHeader"]!;
        Assert.Equal(("String", Trace), (traced["DataType"]!.ToString(), traced["StringValue"]!.ToString()));
        Assert.Null(entries[1]!["MessageSystemAttributes"]);
    }

    [Fact]
    public async Task ParkAsync_LogLines_NameTheMessageItsDeviceAndACommandsId()
    {
        var dlq = await CreateQueueAsync(fifo: true);
        var log = new LogCapture();
        var logger = new Queueing.Shared.Logging.JsonLoggerFactory(log.Writer, Microsoft.Extensions.Logging.LogLevel.Information, TimeProvider.System).CreateLogger("Test.Parker");
        var parker = new DeadLetterParker(_sqs, dlq, "queueing-command-publisher", logger);
        var command = new Dictionary<string, SqsMessageAttribute> { ["Queueing.CommandId"] = new() { DataType = "String", StringValue = "c-42" } };
        ParkRequest[] requests =
        [
            new(Record("telemetry", "{\"lightValue\":1,\"deviceId\":\"lamp-7\"}", groupId: "g"), DeadLetterKind.Rejected, "refused"),
            new(Record("command", "not json", groupId: "lamp-8", attributes: command), DeadLetterKind.Expired, "too late"),
            new(Record("neither", "[1,2]"), DeadLetterKind.Malformed, "an array"),
        ];

        var result = await parker.ParkAsync(requests, CancellationToken.None);

        Assert.Equal(3, result.Parked.Count);
        var lines = log.Documents.ToDictionary(d => d.GetProperty("messageId").GetString()!);
        Assert.Equal("lamp-7", lines["telemetry"].GetProperty("deviceId").GetString());
        Assert.False(lines["telemetry"].TryGetProperty("commandId", out _));
        // Not JSON: the device is the command's FIFO group (the API's group is the device).
        Assert.Equal("lamp-8", lines["command"].GetProperty("deviceId").GetString());
        Assert.Equal("c-42", lines["command"].GetProperty("commandId").GetString());
        Assert.Equal("WARN", lines["command"].GetProperty("level").GetString());
        Assert.Equal("unknown", lines["neither"].GetProperty("deviceId").GetString());
    }

    [Fact]
    public async Task ParkAsync_StandardDlq_KeepsBodyAndOriginalAttributesExactlyAndAddsTheReason()
    {
        var dlq = await CreateQueueAsync();
        var bodies = new[]
        {
            "{\"lightValue\":412,\"deviceId\":\"lamp-☃\",\"note\":\"🚀\"}",
            "  {\n\t\"spaced\" :  true }  \r\n",
            "<not-json attr='1'>&amp; \u00e9</not-json>",
        };
        var attributes = new Dictionary<string, SqsMessageAttribute>
        {
            ["Text"] = new() { DataType = "String", StringValue = "café ✓" },
            ["Amount"] = new() { DataType = "Number", StringValue = "-12.5e3" },
            ["Blob"] = new() { DataType = "Binary", BinaryValue = [0, 1, 2, 127, 128, 255] },
            ["Custom"] = new() { DataType = "Number.int", StringValue = "42" },
        };
        var requests = bodies.Select((body, i) => new ParkRequest(Record($"m{i}", body, attributes: attributes), DeadLetterKind.Malformed, $"not a telemetry object ({i})")).ToList();

        var result = await Parker(dlq).ParkAsync(requests, CancellationToken.None);
        var parked = await DrainAsync(dlq);

        Assert.Equal(["m0", "m1", "m2"], result.Parked.Order());
        Assert.Empty(result.Failed);
        Assert.Equal(3, parked.Count);
        Assert.Equal(bodies.Order(StringComparer.Ordinal), parked.Select(m => m.Body).Order(StringComparer.Ordinal));
        foreach (var message in parked)
        {
            var index = Array.IndexOf(bodies, message.Body);
            Assert.Equal(Encoding.UTF8.GetBytes(bodies[index]), Encoding.UTF8.GetBytes(message.Body));
            var received = message.MessageAttributes;
            Assert.Equal(10, received.Count);
            Assert.Equal(("String", "café ✓"), (received["Text"].DataType, received["Text"].StringValue));
            Assert.Equal(("Number", "-12.5e3"), (received["Amount"].DataType, received["Amount"].StringValue));
            Assert.Equal("Binary", received["Blob"].DataType);
            Assert.Equal(new byte[] { 0, 1, 2, 127, 128, 255 }, received["Blob"].BinaryValue.ToArray());
            Assert.Equal(("Number.int", "42"), (received["Custom"].DataType, received["Custom"].StringValue));
            Assert.Equal(("String", "malformed"), Reason(received, DeadLetterAttributes.Kind));
            Assert.Equal(("String", $"not a telemetry object ({index})"), Reason(received, DeadLetterAttributes.Error));
            Assert.Equal(("String", SourceArn), Reason(received, DeadLetterAttributes.SourceQueue));
            Assert.Equal(("Number", "3"), Reason(received, DeadLetterAttributes.ReceiveCount));
            Assert.Equal(("String", "2025-11-28T10:00:00.456Z"), Reason(received, DeadLetterAttributes.FirstReceiveTime));
            Assert.Equal(("String", "queueing-ingest"), Reason(received, DeadLetterAttributes.Function));
        }
    }

    [Fact]
    public async Task ParkAsync_PreviouslyParkedMessage_OverwritesTheOldReasonAndKeepsRedriveCount()
    {
        var dlq = await CreateQueueAsync();
        var attributes = new Dictionary<string, SqsMessageAttribute>
        {
            [DeadLetterAttributes.Kind] = new() { DataType = "String", StringValue = "rejected" },
            [DeadLetterAttributes.Error] = new() { DataType = "String", StringValue = "old error" },
            [DeadLetterAttributes.SourceQueue] = new() { DataType = "String", StringValue = "arn:old" },
            [DeadLetterAttributes.ReceiveCount] = new() { DataType = "Number", StringValue = "9" },
            [DeadLetterAttributes.FirstReceiveTime] = new() { DataType = "String", StringValue = "2020-01-01T00:00:00.000Z" },
            [DeadLetterAttributes.Function] = new() { DataType = "String", StringValue = "old-function" },
            [DeadLetterAttributes.RedriveCount] = new() { DataType = "Number", StringValue = "2" },
            ["Queueing.CommandId"] = new() { DataType = "String", StringValue = "c-1" },
        };

        var result = await Parker(dlq).ParkAsync([new ParkRequest(Record("m1", "{}", receiveCount: 5, attributes: attributes), DeadLetterKind.Exhausted, "HTTP 503 from Waylay")], CancellationToken.None);
        var message = Assert.Single(await DrainAsync(dlq));

        Assert.Equal(["m1"], result.Parked);
        var received = message.MessageAttributes;
        Assert.Equal(8, received.Count);
        Assert.Equal(("String", "exhausted"), Reason(received, DeadLetterAttributes.Kind));
        Assert.Equal(("String", "HTTP 503 from Waylay"), Reason(received, DeadLetterAttributes.Error));
        Assert.Equal(("String", SourceArn), Reason(received, DeadLetterAttributes.SourceQueue));
        Assert.Equal(("Number", "5"), Reason(received, DeadLetterAttributes.ReceiveCount));
        Assert.Equal(("String", "2025-11-28T10:00:00.456Z"), Reason(received, DeadLetterAttributes.FirstReceiveTime));
        Assert.Equal(("String", "queueing-ingest"), Reason(received, DeadLetterAttributes.Function));
        Assert.Equal(("Number", "2"), Reason(received, DeadLetterAttributes.RedriveCount));
        Assert.Equal(("String", "c-1"), Reason(received, "Queueing.CommandId"));
    }

    [Fact]
    public async Task ParkAsync_MoreThanTenRequests_SendsThemInBatchesAndParksAll()
    {
        // SQS (and moto) refuse a SendMessageBatch of more than 10 entries: all parked means the parker split them.
        var dlq = await CreateQueueAsync();
        var requests = Enumerable.Range(0, 25).Select(i => new ParkRequest(Record($"m{i:D2}", $"{{\"n\":{i}}}"), DeadLetterKind.Rejected, "400 from Waylay")).ToList();

        var result = await Parker(dlq).ParkAsync(requests, CancellationToken.None);
        var parked = await DrainAsync(dlq);

        Assert.Equal(25, result.Parked.Count);
        Assert.Empty(result.Failed);
        Assert.Equal(25, parked.Count);
        Assert.Equal(Enumerable.Range(0, 25).Select(i => $"{{\"n\":{i}}}").Order(StringComparer.Ordinal), parked.Select(m => m.Body).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task ParkAsync_EntrySqsRefuses_EndsInFailedWhileTheRestIsParked()
    {
        var dlq = await CreateQueueAsync(maximumMessageSize: 1024);
        var requests = Enumerable.Range(0, 5)
            .Select(i => new ParkRequest(Record($"m{i}", i == 2 ? new string('x', 2000) : $"{{\"n\":{i}}}"), DeadLetterKind.Malformed, "too large"))
            .ToList();

        var result = await Parker(dlq).ParkAsync(requests, CancellationToken.None);
        var parked = await DrainAsync(dlq);

        Assert.Equal(["m0", "m1", "m3", "m4"], result.Parked.Order());
        var failure = Assert.Single(result.Failed);
        Assert.Equal("m2", failure.Key);
        Assert.Contains("shorter than 1024", failure.Value, StringComparison.Ordinal);
        Assert.DoesNotContain("m2", result.Parked);
        Assert.Equal(4, parked.Count);
        Assert.DoesNotContain(parked, m => m.Body.Length == 2000);
    }

    [Fact]
    public async Task ParkAsync_FifoDlq_KeepsGroupsInOrderAndDeduplicatesARetriedParking()
    {
        var dlq = await CreateQueueAsync(fifo: true);
        var requests = new[]
        {
            new ParkRequest(Record("c1", "{\"seq\":1}", groupId: "lamp-1"), DeadLetterKind.Expired, "ttl passed"),
            new ParkRequest(Record("c2", "{\"seq\":2}", groupId: "lamp-1"), DeadLetterKind.Expired, "ttl passed"),
            new ParkRequest(Record("c3", "{\"seq\":3}", groupId: "lamp-2"), DeadLetterKind.Rejected, "403 from IoT"),
            new ParkRequest(Record("c4", "{\"seq\":4}", groupId: "lamp-1"), DeadLetterKind.Expired, "ttl passed"),
        };
        var parker = Parker(dlq);

        var first = await parker.ParkAsync(requests, CancellationToken.None);
        var retried = await parker.ParkAsync(requests, CancellationToken.None);
        var parked = await DrainAsync(dlq);

        Assert.Equal(4, first.Parked.Count);
        Assert.Equal(4, retried.Parked.Count);
        Assert.Equal(4, parked.Count);
        Assert.Equal(["{\"seq\":1}", "{\"seq\":2}", "{\"seq\":4}"], parked.Where(m => m.Attributes["MessageGroupId"] == "lamp-1").Select(m => m.Body));
        Assert.Equal("lamp-2", parked.Single(m => m.Body == "{\"seq\":3}").Attributes["MessageGroupId"]);
        Assert.All(parked, m => Assert.Equal("c" + m.Body[^2], m.Attributes["MessageDeduplicationId"]));
        Assert.Equal(("String", "expired"), Reason(parked[0].MessageAttributes, DeadLetterAttributes.Kind));
    }

    [Fact]
    public async Task ParkAsync_FifoDlqRecordWithoutGroup_ParksUnderAFixedGroup()
    {
        var dlq = await CreateQueueAsync(fifo: true);

        var result = await Parker(dlq).ParkAsync([new ParkRequest(Record("c1", "{}"), DeadLetterKind.Malformed, "no group")], CancellationToken.None);
        var message = Assert.Single(await DrainAsync(dlq));

        Assert.Equal(["c1"], result.Parked);
        Assert.Equal("parked", message.Attributes["MessageGroupId"]);
    }

    [Fact]
    public async Task ParkAsync_ErrorTextWithCharactersSqsRejects_ParksWithThoseReplaced()
    {
        var dlq = await CreateQueueAsync();
        var error = "broker said \u0000\u0007 and \uD800 then " + new string('e', 3000);

        var result = await Parker(dlq).ParkAsync([new ParkRequest(Record("m1", "{}"), DeadLetterKind.Rejected, error)], CancellationToken.None);
        var message = Assert.Single(await DrainAsync(dlq));

        Assert.Equal(["m1"], result.Parked);
        var stored = message.MessageAttributes[DeadLetterAttributes.Error].StringValue;
        Assert.StartsWith("broker said \uFFFD\uFFFD and \uFFFD then eee", stored, StringComparison.Ordinal);
        Assert.Equal(DeadLetterAttributes.MaxErrorLength, stored.Length);
        Assert.EndsWith("…", stored, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ParkAsync_BlankError_StillSaysSomething()
    {
        var dlq = await CreateQueueAsync();

        await Parker(dlq).ParkAsync([new ParkRequest(Record("m1", "{}"), DeadLetterKind.Malformed, "  ")], CancellationToken.None);
        var message = Assert.Single(await DrainAsync(dlq));

        Assert.Equal("(no error text)", message.MessageAttributes[DeadLetterAttributes.Error].StringValue);
    }

    [Fact]
    public async Task ParkAsync_DlqDoesNotExist_ReportsEveryRecordFailedWithoutThrowing()
    {
        var existing = await CreateQueueAsync();
        var missing = existing.Replace("/dlq-", "/gone-", StringComparison.Ordinal);
        var requests = Enumerable.Range(0, 3).Select(i => new ParkRequest(Record($"m{i}", "{}"), DeadLetterKind.Malformed, "x")).ToList();

        var result = await Parker(missing).ParkAsync(requests, CancellationToken.None);

        Assert.Empty(result.Parked);
        Assert.Equal(["m0", "m1", "m2"], result.Failed.Keys.Order());
    }

    [Fact]
    public async Task ParkAsync_SdkThrowsAnUnexpectedException_ReportsEveryRecordFailedWithoutThrowing()
    {
        // The SDK throws ArgumentNullException from its endpoint resolution when AWS_ENDPOINT_URL_SQS is set but empty:
        // not a service, client or network error. Thrown out of the parker it would fail the invocation, and Lambda
        // would retry the whole batch: records already delivered or commands already published would go again.
        using var broken = new ThrowingSqs(new ArgumentNullException("ServiceURL"));
        var parker = new DeadLetterParker(broken, "http://127.0.0.1:1/123456789012/dlq", "queueing-ingest", NullLogger.Instance);
        var requests = Enumerable.Range(0, 3).Select(i => new ParkRequest(Record($"m{i}", "{}"), DeadLetterKind.Malformed, "x")).ToList();

        var result = await parker.ParkAsync(requests, CancellationToken.None);

        Assert.Empty(result.Parked);
        Assert.Equal(["m0", "m1", "m2"], result.Failed.Keys.Order());
        Assert.Equal(1, broken.Calls);
    }

    /// <summary>An SQS client whose SendMessageBatch throws <paramref name="failure"/> without a request.</summary>
    private sealed class ThrowingSqs(Exception failure)
        : AmazonSQSClient(new Amazon.Runtime.BasicAWSCredentials("testing", "testing"), new AmazonSQSConfig { ServiceURL = "http://127.0.0.1:1/", AuthenticationRegion = "us-east-1" })
    {
        public int Calls { get; private set; }

        public override Task<SendMessageBatchResponse> SendMessageBatchAsync(SendMessageBatchRequest request, CancellationToken cancellationToken = default)
        {
            Calls++;
            throw failure;
        }
    }

    [Fact]
    public async Task ParkAsync_Cancelled_ReportsEveryRecordFailedWithoutThrowing()
    {
        var dlq = await CreateQueueAsync();
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();

        var result = await Parker(dlq).ParkAsync([new ParkRequest(Record("m1", "{}"), DeadLetterKind.Malformed, "x")], cancelled.Token);

        Assert.Empty(result.Parked);
        Assert.Equal(["m1"], result.Failed.Keys);
        Assert.Empty(await DrainAsync(dlq));
    }

    [Fact]
    public async Task ParkAsync_NoRequests_ParksNothing()
    {
        var dlq = await CreateQueueAsync();

        var result = await Parker(dlq).ParkAsync([], CancellationToken.None);

        Assert.Empty(result.Parked);
        Assert.Empty(result.Failed);
    }

    [Theory]
    [InlineData(DeadLetterKind.Malformed, "malformed")]
    [InlineData(DeadLetterKind.Rejected, "rejected")]
    [InlineData(DeadLetterKind.Exhausted, "exhausted")]
    [InlineData(DeadLetterKind.Expired, "expired")]
    public void DeadLetterKind_WireName_RoundTrips(DeadLetterKind kind, string wire)
    {
        Assert.Equal(wire, kind.ToWire());
        Assert.True(DeadLetterKinds.TryParse(wire.ToUpperInvariant(), out var parsed));
        Assert.Equal(kind, parsed);
        Assert.False(DeadLetterKinds.TryParse("lost", out _));
        Assert.False(DeadLetterKinds.TryParse(null, out _));
    }

    private static (string DataType, string StringValue) Reason(Dictionary<string, MessageAttributeValue> attributes, string name) =>
        (attributes[name].DataType, attributes[name].StringValue);
}
