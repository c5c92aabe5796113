using System.Text;
using System.Text.Json.Nodes;
using Amazon.SQS;
using Amazon.SQS.Model;
using MQTTnet;
using Queueing.Emulators.IoT.Broker;
using Queueing.Emulators.IoT.Rules;
using Queueing.Local.Tests.Support;
using Queueing.Testing;

namespace Queueing.Local.Tests.IoT;

/// <summary>
/// The local IoT Core built from the real serverless.template as <c>up</c> builds it: queues provisioned in moto
/// from the model, the template's topic rules in the rules engine, its device policy in the broker.
/// </summary>
public sealed class TemplateIoTLoopTests(MotoServer moto) : IClassFixture<MotoServer>
{
    [Fact]
    public async Task Loop_FromTheRealTemplate_TelemetryReachesIngestQueueAndForeignTopicsAreRefused()
    {
        var (model, sqs) = await RealTemplateInMoto.ProvisionAsync(moto, "iot");
        using var _ = sqs;
        Assert.NotNull(TemplateDevicePolicy.Read(model));
        await using var loop = await LocalIoT.StartAsync(sqs, TemplateTopicRules.Read(model), TemplateDevicePolicy.Read(model));
        var (engine, broker) = (loop.Engine, loop.Broker);
        await using var lamp1 = await MqttTestClient.ConnectAsync(broker.Port, "lamp-1");
        await using var lamp2 = await MqttTestClient.ConnectAsync(broker.Port, "lamp-2");

        var own = await lamp1.PublishAsync("devices/lamp-1/telemetry", """{"light":42}""");
        var foreign = await lamp2.PublishAsync("devices/lamp-1/telemetry", """{"light":7}""");
        var ownCommands = await lamp2.SubscribeAsync("devices/lamp-2/commands");
        var foreignCommands = await lamp2.SubscribeAsync("devices/lamp-1/commands");
        await engine.WhenIdleAsync(CancellationToken.None).WaitAsync(MqttTestClient.Patience);

        Assert.True(own.IsSuccess);
        Assert.Equal(MqttClientPublishReasonCode.NotAuthorized, foreign.ReasonCode);
        Assert.Equal(MqttClientSubscribeResultCode.GrantedQoS1, ownCommands.Items.Single().ResultCode);
        Assert.Equal(MqttClientSubscribeResultCode.NotAuthorized, foreignCommands.Items.Single().ResultCode);
        Assert.Equal(new TopicRuleCounters { MessagesMatched = 1, ActionsSucceeded = 1 }, engine.Counters);
        Assert.Equal(0, engine.CountersByRule[$"{model.Stack.StackName}_TelemetryClaimRule"].MessagesMatched);
        Assert.Equal(0, await CountAsync(sqs, model.Queues["TelemetryRuleErrors"].Url));
        Assert.Equal(1, await CountAsync(sqs, model.Queues["IngestQueue"].Url));
        var received = await sqs.ReceiveMessageAsync(new ReceiveMessageRequest(model.Queues["IngestQueue"].Url) { MaxNumberOfMessages = 10 });
        var body = JsonNode.Parse(Assert.Single(received.Messages).Body)!.AsObject();
        Assert.Equal(42, body["light"]!.GetValue<int>());
        Assert.Equal("lamp-1", body["deviceId"]!.GetValue<string>());
        Assert.True(body["receivedAt"]!.GetValue<long>() > 0);
    }

    [Fact]
    public async Task Loop_PayloadClaimingAnotherDeviceId_ReachesIngestQueueOnlyAsAClaimOfItsTopicDevice()
    {
        var (model, sqs) = await RealTemplateInMoto.ProvisionAsync(moto, "iot");
        using var _ = sqs;
        await using var loop = await LocalIoT.StartAsync(sqs, TemplateTopicRules.Read(model), TemplateDevicePolicy.Read(model));
        var (engine, broker) = (loop.Engine, loop.Broker);
        await using var lamp1 = await MqttTestClient.ConnectAsync(broker.Port, "lamp-1");
        const string forged = """{"deviceId":"other","lightValue":1}""";

        var published = await lamp1.PublishAsync("devices/lamp-1/telemetry", forged);
        var receivedAtClaim = await lamp1.PublishAsync("devices/lamp-1/telemetry", """{"receivedAt":1,"lightValue":2}""");
        await engine.WhenIdleAsync(CancellationToken.None).WaitAsync(MqttTestClient.Patience);

        Assert.True(published.IsSuccess);
        Assert.True(receivedAtClaim.IsSuccess);
        // Where the two messages went: each matched exactly one rule, the claim rule, whose one action succeeded.
        var stackName = model.Stack.StackName;
        Assert.Equal(new TopicRuleCounters(), engine.CountersByRule[$"{stackName}_TelemetryRule"]);
        Assert.Equal(new TopicRuleCounters { MessagesMatched = 2, ActionsSucceeded = 2 }, engine.CountersByRule[$"{stackName}_TelemetryClaimRule"]);
        foreach (var queue in model.Queues.Values.Where(q => q.LogicalId != "IngestQueue"))
        {
            Assert.Equal(0, await CountAsync(sqs, queue.Url));
        }

        var received = await sqs.ReceiveMessageAsync(new ReceiveMessageRequest(model.Queues["IngestQueue"].Url) { MaxNumberOfMessages = 10, WaitTimeSeconds = 1 });
        Assert.Equal(2, received.Messages.Count);
        var claim = received.Messages.Select(m => JsonNode.Parse(m.Body)!.AsObject()).Single(b => b.ContainsKey("claimedDeviceId"));
        // Not telemetry for "other", nor for anyone: no deviceId at all, so nothing can deliver it to a resource.
        Assert.False(claim.ContainsKey("deviceId"));
        Assert.Equal("lamp-1", claim["topicDeviceId"]!.GetValue<string>());
        Assert.Equal("other", claim["claimedDeviceId"]!.GetValue<string>());
        Assert.Equal(forged, Encoding.UTF8.GetString(Convert.FromBase64String(claim["base64OriginalPayload"]!.GetValue<string>())));
        Assert.All(received.Messages, m => Assert.DoesNotContain("\"deviceId\"", m.Body, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Loop_Acks_ReachIngestQueueAsAckRecordsOfTheTopicsDeviceAndAClaimedCommandEventIsAClaim()
    {
        var (model, sqs) = await RealTemplateInMoto.ProvisionAsync(moto, "iot");
        using var _ = sqs;
        await using var loop = await LocalIoT.StartAsync(sqs, TemplateTopicRules.Read(model), TemplateDevicePolicy.Read(model));
        var (engine, broker) = (loop.Engine, loop.Broker);
        await using var lamp1 = await MqttTestClient.ConnectAsync(broker.Port, "lamp-1");
        const string ack = """{"commandId":"c-1","status":"done","deviceId":"lamp-9","commandEvent":"published"}""";

        var own = await lamp1.PublishAsync("devices/lamp-1/commands/ack", ack);
        // Not JSON: the rule only encodes the payload, so it still arrives (and the ingest function parks it).
        var text = await lamp1.PublishAsync("devices/lamp-1/commands/ack", "done");
        var foreign = await lamp1.PublishAsync("devices/lamp-2/commands/ack", ack);
        // Telemetry that claims to be a command event: the claim rule takes it, never TelemetryRule.
        const string claimed = """{"commandEvent":"ack","lightValue":3}""";
        var claim = await lamp1.PublishAsync("devices/lamp-1/telemetry", claimed);
        await engine.WhenIdleAsync(CancellationToken.None).WaitAsync(MqttTestClient.Patience);

        Assert.True(own.IsSuccess && text.IsSuccess && claim.IsSuccess);
        Assert.Equal(MqttClientPublishReasonCode.NotAuthorized, foreign.ReasonCode);
        var stackName = model.Stack.StackName;
        Assert.Equal(new TopicRuleCounters { MessagesMatched = 2, ActionsSucceeded = 2 }, engine.CountersByRule[$"{stackName}_CommandAckRule"]);
        Assert.Equal(new TopicRuleCounters { MessagesMatched = 1, ActionsSucceeded = 1 }, engine.CountersByRule[$"{stackName}_TelemetryClaimRule"]);
        Assert.Equal(0, engine.CountersByRule[$"{stackName}_TelemetryRule"].MessagesMatched);
        Assert.Equal(0, await CountAsync(sqs, model.Queues["TelemetryRuleErrors"].Url));
        var received = await sqs.ReceiveMessageAsync(new ReceiveMessageRequest(model.Queues["IngestQueue"].Url) { MaxNumberOfMessages = 10, WaitTimeSeconds = 1 });
        var records = received.Messages.Select(m => JsonNode.Parse(m.Body)!.AsObject()).ToList();
        Assert.Equal(3, records.Count);
        string Payload(JsonObject r) => Encoding.UTF8.GetString(Convert.FromBase64String(r["base64OriginalPayload"]!.GetValue<string>()));
        var acks = records.Where(r => r.ContainsKey("commandEvent")).ToList();
        Assert.Equal(2, acks.Count);
        Assert.All(acks, r =>
        {
            // Only the rule's fields: the payload's own deviceId and commandEvent travel inside the base64, unread.
            Assert.Equal(["base64OriginalPayload", "commandEvent", "deviceId", "receivedAt"], r.Select(p => p.Key).Order());
            Assert.Equal("ack", r["commandEvent"]!.GetValue<string>());
            Assert.Equal("lamp-1", r["deviceId"]!.GetValue<string>());
            Assert.True(r["receivedAt"]!.GetValue<long>() > 0);
        });
        Assert.Equal(new[] { ack, "done" }.Order(StringComparer.Ordinal), acks.Select(Payload).Order(StringComparer.Ordinal));
        var claimRecord = Assert.Single(records, r => r.ContainsKey("topicDeviceId"));
        Assert.False(claimRecord.ContainsKey("deviceId"));
        Assert.Equal("ack", claimRecord["claimedCommandEvent"]!.GetValue<string>());
        Assert.Equal(claimed, Payload(claimRecord));
    }

    [Fact]
    public async Task Loop_LegacyTopic_EveryMessageReachesIngestQueueWithThePublishersClientIdAndItsPayloadByteForByte()
    {
        var (model, sqs) = await RealTemplateInMoto.ProvisionAsync(moto, "iot", new Dictionary<string, string> { ["LegacyTelemetryTopicFilter"] = "sensors/light" });
        using var _ = sqs;
        await using var loop = await LocalIoT.StartAsync(sqs, TemplateTopicRules.Read(model), TemplateDevicePolicy.Read(model));
        var (engine, broker) = (loop.Engine, loop.Broker);
        await using var lamp1 = await MqttTestClient.ConnectAsync(broker.Port, "lamp-1");
        await using var lamp2 = await MqttTestClient.ConnectAsync(broker.Port, "lamp-2");
        var payloads = new Dictionary<string, string>
        {
            ["lamp-1"] = """{"deviceID":"lamp-1","data":{"lightValue":400,"timestamp":1764201600000}}""",
            // A device naming another in its payload: the rule still says who sent it.
            ["lamp-2"] = """{"deviceID":"lamp-1","data":{"lightValue":1}}""",
        };

        var own = await lamp1.PublishAsync("sensors/light", payloads["lamp-1"]);
        var spoof = await lamp2.PublishAsync("sensors/light", payloads["lamp-2"]);
        // Not JSON at all: a rule that read the payload as JSON would fail on it and AWS would drop it, error action
        // and all; this one only encodes it, so it reaches the queue and the ingest function parks it.
        var text = await lamp1.PublishAsync("sensors/light", "lightValue=400");
        var other = await lamp1.PublishAsync("sensors/dark", "{}");
        await engine.WhenIdleAsync(CancellationToken.None).WaitAsync(MqttTestClient.Patience);

        Assert.True(own.IsSuccess && spoof.IsSuccess && text.IsSuccess);
        Assert.Equal(MqttClientPublishReasonCode.NotAuthorized, other.ReasonCode);
        var stackName = model.Stack.StackName;
        Assert.Equal(new TopicRuleCounters { MessagesMatched = 3, ActionsSucceeded = 3 }, engine.CountersByRule[$"{stackName}_LegacyTelemetryRule"]);
        Assert.Equal(0, engine.CountersByRule[$"{stackName}_TelemetryRule"].MessagesMatched);
        Assert.Equal(0, engine.CountersByRule[$"{stackName}_TelemetryClaimRule"].MessagesMatched);
        Assert.Equal(0, await CountAsync(sqs, model.Queues["TelemetryRuleErrors"].Url));
        var received = await sqs.ReceiveMessageAsync(new ReceiveMessageRequest(model.Queues["IngestQueue"].Url) { MaxNumberOfMessages = 10, WaitTimeSeconds = 1 });
        var records = received.Messages.Select(m => JsonNode.Parse(m.Body)!.AsObject()).ToList();
        Assert.Equal(3, records.Count);
        Assert.All(records, r =>
        {
            // Only the rule's fields: no payload field can stand beside clientId.
            Assert.Equal(["base64OriginalPayload", "clientId", "receivedAt", "topic"], r.Select(p => p.Key).Order());
            Assert.Equal("sensors/light", r["topic"]!.GetValue<string>());
        });
        string Payload(JsonObject r) => Encoding.UTF8.GetString(Convert.FromBase64String(r["base64OriginalPayload"]!.GetValue<string>()));
        Assert.Equal(
            new[] { ("lamp-1", payloads["lamp-1"]), ("lamp-1", "lightValue=400"), ("lamp-2", payloads["lamp-2"]) }.Order(),
            records.Select(r => (r["clientId"]!.GetValue<string>(), Payload(r))).Order());
    }

    private static async Task<int> CountAsync(IAmazonSQS sqs, string queueUrl)
    {
        var attributes = await sqs.GetQueueAttributesAsync(queueUrl, ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"]);
        return attributes.ApproximateNumberOfMessages + attributes.ApproximateNumberOfMessagesNotVisible;
    }
}
