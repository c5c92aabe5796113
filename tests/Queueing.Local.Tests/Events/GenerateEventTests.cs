using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Amazon.SQS.Model;
using Microsoft.Extensions.Time.Testing;
using Queueing.Contracts.Events;
using Queueing.Contracts.Json;
using Queueing.Local.Events;
using Queueing.Local.Tests.Support;
using Queueing.Testing;

namespace Queueing.Local.Tests.Events;

public sealed class GenerateEventTests : IClassFixture<MotoServer>
{
    private static readonly DateTimeOffset Now = new(2025, 11, 28, 0, 0, 0, TimeSpan.Zero);
    private readonly MotoServer _moto;

    public GenerateEventTests(MotoServer moto) => _moto = moto;

    [Fact]
    public async Task Sqs_Default_IsTelemetryAsTheRuleWritesItAndReadsWithSharedJsonContext()
    {
        var run = await CliRun.RunAsync(["generate-event", "sqs", "--device", "lamp-7"], time: new FakeTimeProvider(Now));

        Assert.Equal(0, run.ExitCode);
        var message = Assert.Single(ReadSqs(run).Records);
        var body = JsonNode.Parse(message.Body)!;
        Assert.Equal("lamp-7", body["deviceId"]!.ToString());
        Assert.Equal(Now.ToUnixTimeMilliseconds(), body["receivedAt"]!.GetValue<long>());
        Assert.NotNull(body["lightValue"]);
        Assert.Equal("aws:sqs", message.EventSource);
        Assert.Equal("arn:aws:sqs:us-east-1:123456789012:queueing-IngestQueue", message.EventSourceArn);
        Assert.Equal(1, message.ReceiveCount);
        Assert.Equal(Now, message.SentTime);
        Assert.Equal(Convert.ToHexStringLower(MD5.HashData(Encoding.UTF8.GetBytes(message.Body))), message.Md5OfBody);
    }

    [Fact]
    public async Task Sqs_Output_HasOnlyTheFieldsLambdaSends()
    {
        // Guards the [JsonIgnore] on SqsMessage's derived helpers (ReceiveCount, SentTime, ...) in Queueing.Shared.
        var run = await CliRun.RunAsync(["generate-event", "sqs", "--fifo"]);

        var record = JsonNode.Parse(run.Out)!["Records"]![0]!.AsObject();
        Assert.Equal(
            ["attributes", "awsRegion", "body", "eventSource", "eventSourceARN", "md5OfBody", "md5OfMessageAttributes", "messageAttributes", "messageId", "receiptHandle"],
            record.Select(p => p.Key).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Sqs_BodyWithItsOwnDeviceId_IsTheClaimRulesRecordWithoutADeviceId()
    {
        const string payload = "{\"lightValue\":9,\"deviceId\":\"spoofed\"}";
        var run = await CliRun.RunAsync(["generate-event", "sqs", "--device", "lamp-2", "--body", payload]);

        var body = JsonNode.Parse(Assert.Single(ReadSqs(run).Records).Body)!.AsObject();
        Assert.Equal(["topicDeviceId", "claimedDeviceId", "base64OriginalPayload"], body.Select(p => p.Key));
        Assert.Equal("lamp-2", body["topicDeviceId"]!.ToString());
        Assert.Equal("spoofed", body["claimedDeviceId"]!.ToString());
        Assert.Equal(payload, Encoding.UTF8.GetString(Convert.FromBase64String(body["base64OriginalPayload"]!.ToString())));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("lightValue=400")]
    public async Task Sqs_LegacyTopic_IsTheLegacyRulesRecordWithThePayloadInBase64(string? payload)
    {
        string[] args = ["generate-event", "sqs", "--device", "lamp-3", "--legacy-topic", "sensors/light"];
        var run = await CliRun.RunAsync(payload is null ? args : [.. args, "--body", payload], time: new FakeTimeProvider(Now));

        Assert.Equal(0, run.ExitCode);
        var body = JsonNode.Parse(Assert.Single(ReadSqs(run).Records).Body)!.AsObject();
        Assert.Equal(["clientId", "topic", "receivedAt", "base64OriginalPayload"], body.Select(p => p.Key));
        Assert.Equal("lamp-3", body["clientId"]!.ToString());
        Assert.Equal("sensors/light", body["topic"]!.ToString());
        var sent = Encoding.UTF8.GetString(Convert.FromBase64String(body["base64OriginalPayload"]!.ToString()));
        if (payload is null)
        {
            // The default payload is the replaced setup's envelope of the device itself.
            var envelope = JsonNode.Parse(sent)!.AsObject();
            Assert.Equal(["deviceID", "data"], envelope.Select(p => p.Key));
            Assert.Equal("lamp-3", envelope["deviceID"]!.ToString());
        }
        else
        {
            Assert.Equal(payload, sent);
        }
    }

    [Fact]
    public async Task Sqs_Count_GivesDistinctMessagesInTimeOrder()
    {
        var run = await CliRun.RunAsync(["generate-event", "sqs", "--count", "5"], time: new FakeTimeProvider(Now));

        var records = ReadSqs(run).Records;
        Assert.Equal(5, records.Select(r => r.MessageId).Distinct().Count());
        Assert.Equal(records.Select(r => r.SentTime).Order(), records.Select(r => r.SentTime));
    }

    [Fact]
    public async Task Sqs_Ack_IsTheAckRulesRecordWithTheDevicesPayloadInBase64()
    {
        const string payload = """{"commandId":"c-9","status":"failed"}""";
        var run = await CliRun.RunAsync(["generate-event", "sqs", "--ack", "--device", "lamp-3", "--body", payload], time: new FakeTimeProvider(Now));

        Assert.Equal(0, run.ExitCode);
        var body = JsonNode.Parse(Assert.Single(ReadSqs(run).Records).Body)!.AsObject();
        Assert.Equal(["commandEvent", "deviceId", "receivedAt", "base64OriginalPayload"], body.Select(p => p.Key));
        Assert.Equal(("ack", "lamp-3", Now.ToUnixTimeMilliseconds()), (body["commandEvent"]!.ToString(), body["deviceId"]!.ToString(), body["receivedAt"]!.GetValue<long>()));
        Assert.Equal(payload, Encoding.UTF8.GetString(Convert.FromBase64String(body["base64OriginalPayload"]!.ToString())));
    }

    [Theory]
    [InlineData("--command-status", "delivered", "is not one the publisher sends (published, ackDue, expired, rejected, undelivered)")]
    [InlineData("--command-status", "published", "--command-status does not go with --fifo")]
    [InlineData("--ack", null, "--ack does not go with --fifo")]
    public async Task Sqs_CommandEventThatCannotBe_IsAUsageError(string option, string? value, string expected)
    {
        string[] args = value is null ? ["generate-event", "sqs", option] : ["generate-event", "sqs", option, value];
        var run = await CliRun.RunAsync(expected.Contains("--fifo", StringComparison.Ordinal) ? [.. args, "--fifo"] : args);

        Assert.Equal(2, run.ExitCode);
        Assert.Contains(expected, run.Error, StringComparison.Ordinal);
        Assert.Equal("", run.Out);
    }

    [Fact]
    public async Task Sqs_NonObjectBodyWithoutRaw_IsAUsageError()
    {
        var run = await CliRun.RunAsync(["generate-event", "sqs", "--body", "not json"]);

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("--raw", run.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("0", "--count must be from 1 to 10000.")]
    [InlineData("x", "Cannot parse argument 'x' for option '--count'")]
    public async Task Sqs_BadCount_IsAUsageError(string count, string message)
    {
        var run = await CliRun.RunAsync(["generate-event", "sqs", "--count", count]);

        Assert.Equal(2, run.ExitCode);
        Assert.Contains(message, run.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Sqs_Raw_UsesBodyAsIs()
    {
        var run = await CliRun.RunAsync(["generate-event", "sqs", "--raw", "--body", "not json"]);

        Assert.Equal("not json", Assert.Single(ReadSqs(run).Records).Body);
    }

    [Fact]
    public async Task Sqs_Fifo_CarriesCommandMessagesGroupedByDevice()
    {
        var run = await CliRun.RunAsync(["generate-event", "sqs", "--fifo", "--device", "lamp-3", "--count", "2", "--body", "{\"light\":\"off\"}", "--queue-name", "cmds"], time: new FakeTimeProvider(Now));

        var records = ReadSqs(run).Records;
        Assert.All(records, record =>
        {
            Assert.Equal("lamp-3", record.MessageGroupId);
            Assert.Equal("arn:aws:sqs:us-east-1:123456789012:cmds.fifo", record.EventSourceArn);
            var body = JsonNode.Parse(record.Body)!;
            Assert.Equal("devices/lamp-3/commands", body["topic"]!.ToString());
            Assert.Equal("off", body["payload"]!["light"]!.ToString());
            Assert.Equal(body["commandId"]!.ToString(), record.MessageAttributes["Queueing.CommandId"].StringValue);
            Assert.Equal(body["expiresAt"]!.ToString(), record.MessageAttributes["Queueing.ExpiresAt"].StringValue);
            Assert.Equal("2025-11-28T00:00:00.000Z", records[0].MessageAttributes["Queueing.AcceptedAt"].StringValue);
        });
        Assert.True(string.CompareOrdinal(records[0].Attributes["SequenceNumber"], records[1].Attributes["SequenceNumber"]) < 0);
    }

    [Fact]
    public async Task MessageAttributesMd5_MatchesWhatSqsComputes()
    {
        var attributes = new Dictionary<string, SqsMessageAttribute>
        {
            ["Queueing.CommandId"] = new() { DataType = "String", StringValue = "c-1" },
            ["Queueing.AcceptedAt"] = new() { DataType = "String", StringValue = "2025-11-28T00:00:00.000Z" },
            ["Count"] = new() { DataType = "Number", StringValue = "3" },
        };
        using var sqs = _moto.CreateSqs();
        var queue = await sqs.CreateQueueAsync("md5-" + Guid.NewGuid().ToString("N"));

        var sent = await sqs.SendMessageAsync(new SendMessageRequest
        {
            QueueUrl = queue.QueueUrl,
            MessageBody = "x",
            MessageAttributes = attributes.ToDictionary(a => a.Key, a => new MessageAttributeValue { DataType = a.Value.DataType, StringValue = a.Value.StringValue }),
        });

        Assert.Equal(sent.MD5OfMessageAttributes, SqsMessageAttributesMd5.Compute(attributes));
    }

    [Fact]
    public async Task Http_WithPathQueryHeadersAndCookies_IsAPayload2Event()
    {
        var run = await CliRun.RunAsync(
            ["generate-event", "http", "--path", "/commands?dry=1&tag=a&tag=b", "--method", "post", "--body", "{\"deviceId\":\"lamp-1\"}",
             "--header", "X-Signature=abc", "--header", "Cookie=a=1; b=2"],
            time: new FakeTimeProvider(Now));

        Assert.Equal(0, run.ExitCode);
        var request = JsonSerializer.Deserialize(run.Out, SharedJsonContext.Default.HttpApiRequest)!;
        Assert.Equal("2.0", request.Version);
        Assert.Equal("POST /commands", request.RouteKey);
        Assert.Equal("/commands", request.RawPath);
        Assert.Equal("dry=1&tag=a&tag=b", request.RawQueryString);
        Assert.Equal("a,b", request.QueryStringParameters!["tag"]);
        Assert.Equal("abc", request.Headers!["x-signature"]);
        Assert.Equal("abc", request.Header("X-Signature"));
        Assert.Equal(["a=1", "b=2"], request.Cookies!);
        Assert.Equal("POST", request.RequestContext!.Http!.Method);
        Assert.Equal(Now.ToUnixTimeMilliseconds(), request.RequestContext.TimeEpoch);
        Assert.Equal("28/Nov/2025:00:00:00 +0000", request.RequestContext.Time);
        Assert.Equal("{\"deviceId\":\"lamp-1\"}", request.Body);
        Assert.Equal("21", request.Headers["content-length"]);
    }

    [Fact]
    public async Task Http_Sign_ReproducesTheWorkedExampleOfDocsCommands()
    {
        var run = await CliRun.RunAsync(
            ["generate-event", "http", "--sign", "--signing-secret", "queueing-local-signing-secret-not-for-production",
             "--body", """{"deviceId":"lamp-1","payload":{"lightStatus":"on"},"ttlSeconds":60}"""],
            time: new FakeTimeProvider(DateTimeOffset.FromUnixTimeSeconds(1764288000)));

        var request = JsonSerializer.Deserialize(run.Out, SharedJsonContext.Default.HttpApiRequest)!;
        Assert.Equal("1764288000", request.Header("X-Queueing-Timestamp"));
        Assert.Equal("v1=229285dc1acdbead01955f9377ab3815d0be8a72b5720ae06e1460319f30b1bb", request.Header("X-Queueing-Signature"));
    }

    [Fact]
    public async Task Http_GetWithoutBody_HasNoBodyOrContentType()
    {
        var run = await CliRun.RunAsync(["generate-event", "http", "--method", "GET", "--path", "health"]);

        var request = JsonSerializer.Deserialize(run.Out, SharedJsonContext.Default.HttpApiRequest)!;
        Assert.Null(request.Body);
        Assert.Equal("/health", request.RawPath);
        Assert.False(request.Headers!.ContainsKey("content-type"));
    }

    [Fact]
    public async Task Http_HeaderWithoutEquals_IsAUsageError()
    {
        var run = await CliRun.RunAsync(["generate-event", "http", "--header", "nonsense"]);

        Assert.Equal(2, run.ExitCode);
        // LocalCli's boundary reports the UsageException: its message on stderr, nothing on stdout.
        Assert.Equal("--header takes name=value, got 'nonsense'.", run.Error.Trim());
        Assert.Equal("", run.Out);
    }

    private static SqsEvent ReadSqs(CliRun run)
    {
        Assert.True(run.ExitCode == 0, run.ToString());
        return JsonSerializer.Deserialize(run.Out, SharedJsonContext.Default.SqsEvent)!;
    }
}
