using System.Text;
using System.Text.Json;
using Amazon.SQS;
using Amazon.SQS.Model;
using Microsoft.Extensions.Time.Testing;
using Queueing.Emulators.IoT.Rules;
using Queueing.Testing;

namespace Queueing.Local.Tests.IoT.Rules;

public sealed class TopicRuleEngineTests(MotoServer moto) : IClassFixture<MotoServer>
{
    private const string TelemetrySql = "SELECT *, topic(2) AS deviceId, timestamp() AS receivedAt FROM 'devices/+/telemetry'";
    private static readonly DateTimeOffset Now = DateTimeOffset.FromUnixTimeMilliseconds(1764288000123);

    [Fact]
    public async Task Publish_TelemetryFromDevices_EveryMessageLandsInTheQueueAsRuleOutput()
    {
        using var sqs = moto.CreateSqs();
        var queue = await CreateQueueAsync(sqs, "IngestQueue");
        var rule = new TopicRuleDefinition("TelemetryRule", TelemetrySql, "2016-03-23", [new SqsRuleAction(queue)], null);
        await using var stack = await LocalIoT.StartAsync(sqs, [rule], time: new FakeTimeProvider(Now));
        await using var lamp1 = await MqttTestClient.ConnectAsync(stack.Broker.Port, "lamp-1");
        await using var lamp2 = await MqttTestClient.ConnectAsync(stack.Broker.Port, "lamp-2");

        for (var i = 0; i < 10; i++)
        {
            await lamp1.PublishAsync("devices/lamp-1/telemetry", $$"""{"lightValue":{{300 + i}},"timestamp":1764288000000}""");
            await lamp2.PublishAsync("devices/lamp-2/telemetry", $$"""{"lightValue":{{400 + i}},"deviceId":"spoofed"}""");
        }

        await stack.Broker.PublishAsync("devices/lamp-1/status", "{}"u8.ToArray(), 1, [], retain: false, CancellationToken.None);
        await stack.Engine.WhenIdleAsync(CancellationToken.None).WaitAsync(MqttTestClient.Patience);

        Assert.Equal(20, await CountAsync(sqs, queue));
        var bodies = await ReceiveAllAsync(sqs, queue, 20);
        Assert.Contains("""{"lightValue":300,"timestamp":1764288000000,"deviceId":"lamp-1","receivedAt":1764288000123}""", bodies);
        Assert.Contains("""{"lightValue":409,"deviceId":"lamp-2","receivedAt":1764288000123}""", bodies);
        Assert.DoesNotContain(bodies, b => b.Contains("spoofed", StringComparison.Ordinal));
        Assert.Equal(new TopicRuleCounters { MessagesMatched = 20, ActionsSucceeded = 20 }, stack.Engine.Counters);
    }

    [Fact]
    public async Task Publish_WhenTheTargetQueueDoesNotExist_SendsAwsErrorActionMessageToTheErrorQueue()
    {
        using var sqs = moto.CreateSqs();
        var errors = await CreateQueueAsync(sqs, "TelemetryRuleErrors");
        var missing = errors.Replace("TelemetryRuleErrors", "NoSuchQueue", StringComparison.Ordinal);
        var rule = new TopicRuleDefinition("TelemetryRule", TelemetrySql, "2016-03-23", [new SqsRuleAction(missing)], new SqsRuleAction(errors));
        await using var stack = await LocalIoT.StartAsync(sqs, [rule], time: new FakeTimeProvider(Now));
        await using var lamp = await MqttTestClient.ConnectAsync(stack.Broker.Port, "lamp-1");

        for (var i = 0; i < 3; i++)
        {
            await lamp.PublishAsync("devices/lamp-1/telemetry", $$"""{"lightValue":{{i}}}""");
        }

        await stack.Engine.WhenIdleAsync(CancellationToken.None).WaitAsync(MqttTestClient.Patience);

        Assert.Equal(3, await CountAsync(sqs, errors));
        var bodies = await ReceiveAllAsync(sqs, errors, 3);
        var originals = new List<string>();
        foreach (var body in bodies)
        {
            using var document = JsonDocument.Parse(body);
            var root = document.RootElement;
            Assert.Equal("TelemetryRule", root.GetProperty("ruleName").GetString());
            Assert.Equal("devices/lamp-1/telemetry", root.GetProperty("topic").GetString());
            Assert.Equal("lamp-1", root.GetProperty("clientId").GetString());
            Assert.True(Guid.TryParse(root.GetProperty("cloudwatchTraceId").GetString(), out _));
            originals.Add(Encoding.UTF8.GetString(Convert.FromBase64String(root.GetProperty("base64OriginalPayload").GetString()!)));
            var failure = Assert.Single(root.GetProperty("failures").EnumerateArray());
            Assert.Equal("SqsAction", failure.GetProperty("failedAction").GetString());
            Assert.Equal(missing, failure.GetProperty("failedResource").GetString());
            var error = failure.GetProperty("errorMessage").GetString();
            Assert.StartsWith("Failed to send message to SQS.", error, StringComparison.Ordinal);
            Assert.Contains("Error Code: AWS.SimpleQueueService.NonExistentQueue", error, StringComparison.Ordinal);
        }

        Assert.Equal(["""{"lightValue":0}""", """{"lightValue":1}""", """{"lightValue":2}"""], originals.Order());
        Assert.Equal(new TopicRuleCounters { MessagesMatched = 3, ActionsFailed = 3, ErrorsRouted = 3 }, stack.Engine.Counters);
    }

    [Fact]
    public async Task Publish_WhenTheActionFailsAndTheRuleHasNoErrorAction_CountsTheMessageAsUnrouted()
    {
        using var sqs = moto.CreateSqs();
        var existing = await CreateQueueAsync(sqs, "Other");
        var rule = new TopicRuleDefinition("TelemetryRule", TelemetrySql, "2016-03-23", [new SqsRuleAction(existing.Replace("Other", "Gone", StringComparison.Ordinal))], null);
        await using var stack = await LocalIoT.StartAsync(sqs, [rule], time: new FakeTimeProvider(Now));
        await using var lamp = await MqttTestClient.ConnectAsync(stack.Broker.Port, "lamp-1");

        await lamp.PublishAsync("devices/lamp-1/telemetry", "{}");
        await stack.Engine.WhenIdleAsync(CancellationToken.None).WaitAsync(MqttTestClient.Patience);

        Assert.Equal(new TopicRuleCounters { MessagesMatched = 1, ActionsFailed = 1, ErrorsUnrouted = 1 }, stack.Engine.Counters);
    }

    [Fact]
    public async Task Publish_NonJsonTelemetry_IsASqlErrorAndRunsNoActionNorErrorAction()
    {
        using var sqs = moto.CreateSqs();
        var queue = await CreateQueueAsync(sqs, "IngestQueue");
        var errors = await CreateQueueAsync(sqs, "TelemetryRuleErrors");
        var rule = new TopicRuleDefinition("TelemetryRule", TelemetrySql, "2016-03-23", [new SqsRuleAction(queue)], new SqsRuleAction(errors));
        await using var stack = await LocalIoT.StartAsync(sqs, [rule], time: new FakeTimeProvider(Now));
        await using var lamp = await MqttTestClient.ConnectAsync(stack.Broker.Port, "lamp-1");

        await lamp.PublishAsync("devices/lamp-1/telemetry", "light=412");
        await stack.Engine.WhenIdleAsync(CancellationToken.None).WaitAsync(MqttTestClient.Patience);

        Assert.Equal(new TopicRuleCounters { SqlErrors = 1 }, stack.Engine.Counters);
        Assert.Equal(0, await CountAsync(sqs, queue));
        Assert.Equal(0, await CountAsync(sqs, errors));
    }

    [Fact]
    public async Task Publish_BinaryPayloadToSelectStarRuleWithBase64_SendsTheBytesBase64Encoded()
    {
        using var sqs = moto.CreateSqs();
        var queue = await CreateQueueAsync(sqs, "Raw");
        var rule = new TopicRuleDefinition("RawRule", "SELECT * FROM 'raw/#'", "2016-03-23", [new SqsRuleAction(queue, UseBase64: true)], null);
        await using var stack = await LocalIoT.StartAsync(sqs, [rule], time: new FakeTimeProvider(Now));
        byte[] bytes = [0x00, 0xFF, 0x10, 0x80];

        await stack.Broker.PublishAsync("raw/a", bytes, 0, [], retain: false, CancellationToken.None);
        await stack.Engine.WhenIdleAsync(CancellationToken.None).WaitAsync(MqttTestClient.Patience);

        var body = Assert.Single(await ReceiveAllAsync(sqs, queue, 1));
        Assert.Equal(bytes, Convert.FromBase64String(body));
    }

    [Fact]
    public void Constructor_RulesOutsideTheSubset_ReportsEveryProblemNamingEachRule()
    {
        using var sqs = moto.CreateSqs();
        TopicRuleDefinition[] rules =
        [
            new("A", "SELECT upper(x) AS y FROM 'a'", "2016-03-23", [new SqsRuleAction("http://127.0.0.1/1/q")], null),
            new("B", "SELECT * FROM 'b'", null, [new SqsRuleAction("not a url")], null),
            new("C", "SELECT * FROM 'c'", "2016-03-23", [new SqsRuleAction("http://127.0.0.1/1/q")], null, Disabled: true),
        ];

        var error = Assert.Throws<TopicRuleException>(() => new TopicRuleEngine(rules, sqs));

        Assert.Equal(3, error.Problems.Count);
        Assert.Contains(error.Problems, p => p.Contains("'A'", StringComparison.Ordinal) && p.Contains("upper()", StringComparison.Ordinal));
        Assert.Contains(error.Problems, p => p.Contains("'B'", StringComparison.Ordinal) && p.Contains("SQL version '2015-10-08'", StringComparison.Ordinal));
        Assert.Contains(error.Problems, p => p.Contains("'B'", StringComparison.Ordinal) && p.Contains("QueueUrl 'not a url'", StringComparison.Ordinal));
        Assert.DoesNotContain(error.Problems, p => p.Contains("'C'", StringComparison.Ordinal));
    }

    private static async Task<string> CreateQueueAsync(IAmazonSQS sqs, string name) =>
        (await sqs.CreateQueueAsync($"{name}-{Guid.NewGuid():N}")).QueueUrl;

    private static async Task<int> CountAsync(IAmazonSQS sqs, string queueUrl)
    {
        var attributes = await sqs.GetQueueAttributesAsync(queueUrl, ["ApproximateNumberOfMessages"]);
        return attributes.ApproximateNumberOfMessages;
    }

    private static async Task<List<string>> ReceiveAllAsync(IAmazonSQS sqs, string queueUrl, int expected)
    {
        var bodies = new List<string>();
        using var patience = new CancellationTokenSource(MqttTestClient.Patience);
        while (bodies.Count < expected)
        {
            var response = await sqs.ReceiveMessageAsync(new ReceiveMessageRequest { QueueUrl = queueUrl, MaxNumberOfMessages = 10, WaitTimeSeconds = 1 }, patience.Token);
            bodies.AddRange(response.Messages?.Select(m => m.Body) ?? []);
        }

        return bodies;
    }
}
