using System.Text.Json.Nodes;
using Amazon.SQS;
using Amazon.SQS.Model;
using MQTTnet;
using Queueing.Emulators.IoT.Broker;
using Queueing.Emulators.IoT.Rules;
using Queueing.Emulators.Template;
using Queueing.Local.Tests.Support;
using Queueing.Testing;

namespace Queueing.Local.Tests.IoT;

/// <summary>
/// The real serverless.template with <c>TelemetryIngest=basic</c>, in the local IoT Core as <c>up</c> builds it: devices
/// publish on TelemetryRule's Basic Ingest topic, which the device policy allows them and nothing else for telemetry.
/// </summary>
public sealed class BasicIngestLoopTests(MotoServer moto) : IClassFixture<MotoServer>
{
    private const string Operator = "operator";

    [Fact]
    public async Task Publish_OnTheOwnBasicIngestTopic_ReachesIngestQueueAsTheTopicsDevice_AndNoSubscriberOfThePlainTopic()
    {
        var (model, sqs) = await ProvisionAsync();
        using var _ = sqs;
        await using var loop = await StartAsync(model, sqs);
        // An IAM principal allowed iot:* (the policy skips it): the one client that may watch the devices' topics.
        await using var watcher = await MqttTestClient.ConnectAsync(loop.Broker.Port, Operator);
        foreach (var filter in new[] { "devices/lamp-1/telemetry", "#", "operator/sentinel" })
        {
            await watcher.SubscribeAsync(filter);
        }

        await using var lamp1 = await MqttTestClient.ConnectAsync(loop.Broker.Port, "lamp-1");

        var published = await lamp1.PublishAsync(BasicIngestTopic(model, "lamp-1"), """{"light":42}""");
        await watcher.PublishAsync("operator/sentinel", "after");
        await loop.Engine.WhenIdleAsync(CancellationToken.None).WaitAsync(MqttTestClient.Patience);

        Assert.True(published.IsSuccess, published.ReasonString);
        Assert.Equal(new TopicRuleCounters { MessagesMatched = 1, ActionsSucceeded = 1 }, loop.Engine.CountersByRule[RuleName(model, "TelemetryRule")]);
        Assert.Equal(0, loop.Engine.CountersByRule[RuleName(model, "TelemetryClaimRule")].MessagesMatched);
        var body = JsonNode.Parse(Assert.Single(await ReceiveAsync(sqs, model.Queues["IngestQueue"].Url)).Body)!.AsObject();
        // topic(2) of the topic without $aws/rules/<rule name>: the device id, as on the broker topic.
        Assert.Equal(["light", "deviceId", "receivedAt"], body.Select(p => p.Key));
        Assert.Equal("lamp-1", body["deviceId"]!.GetValue<string>());
        Assert.Equal(42, body["light"]!.GetValue<int>());
        // No subscriber got it: the first message the watcher receives is the sentinel it published afterwards.
        Assert.Equal("operator/sentinel", (await watcher.ReceiveAsync()).Topic);
        Assert.False(watcher.TryReceive(out var more), more?.Topic);
        Assert.Equal(0, await CountAsync(sqs, model.Queues["TelemetryRuleErrors"].Url));
    }

    [Fact]
    public async Task Policy_RefusesAnotherDevicesBasicIngestTopic_ThePlainTopicAndOtherRules()
    {
        var (model, sqs) = await ProvisionAsync();
        using var _ = sqs;
        await using var loop = await StartAsync(model, sqs);
        await using var lamp1 = await MqttTestClient.ConnectAsync(loop.Broker.Port, "lamp-1");
        await using var lamp2 = await MqttTestClient.ConnectAsync(loop.Broker.Port, "lamp-2");

        var foreign = await lamp2.PublishAsync(BasicIngestTopic(model, "lamp-1"), """{"light":7}""");
        var plain = await lamp1.PublishAsync("devices/lamp-1/telemetry", """{"light":8}""");
        var claimRule = await lamp1.PublishAsync($"$aws/rules/{RuleName(model, "TelemetryClaimRule")}/devices/lamp-1/telemetry", """{"light":9}""");
        var own = await lamp2.PublishAsync(BasicIngestTopic(model, "lamp-2"), """{"light":10}""");
        await loop.Engine.WhenIdleAsync(CancellationToken.None).WaitAsync(MqttTestClient.Patience);

        Assert.Equal(MqttClientPublishReasonCode.NotAuthorized, foreign.ReasonCode);
        Assert.Equal(MqttClientPublishReasonCode.NotAuthorized, plain.ReasonCode);
        Assert.Equal(MqttClientPublishReasonCode.NotAuthorized, claimRule.ReasonCode);
        Assert.True(own.IsSuccess, own.ReasonString);
        Assert.Equal(3, loop.Broker.Counters.PublishesRejected);
        // Only lamp-2's own message, as lamp-2's.
        var body = JsonNode.Parse(Assert.Single(await ReceiveAsync(sqs, model.Queues["IngestQueue"].Url)).Body)!;
        Assert.Equal(("lamp-2", 10), (body["deviceId"]!.GetValue<string>(), body["light"]!.GetValue<int>()));
    }

    [Fact]
    public async Task Publish_PayloadClaimingADeviceId_IsAcknowledgedButReachesNoQueue()
    {
        // The Basic Ingest topic names TelemetryRule alone, so TelemetryClaimRule, which parks such payloads as
        // rejected on the broker path, never sees it; TelemetryRule's WHERE refuses it, and AWS runs no action. It is
        // delivered to no resource, and lost: what docs/deployment.md says of TelemetryIngest=basic.
        var (model, sqs) = await ProvisionAsync();
        using var _ = sqs;
        await using var loop = await StartAsync(model, sqs);
        await using var lamp1 = await MqttTestClient.ConnectAsync(loop.Broker.Port, "lamp-1");

        var claim = await lamp1.PublishAsync(BasicIngestTopic(model, "lamp-1"), """{"deviceId":"lamp-2","light":1}""");
        var receivedAt = await lamp1.PublishAsync(BasicIngestTopic(model, "lamp-1"), """{"receivedAt":1,"light":2}""");
        await loop.Engine.WhenIdleAsync(CancellationToken.None).WaitAsync(MqttTestClient.Patience);

        Assert.True(claim.IsSuccess && receivedAt.IsSuccess);
        Assert.All(loop.Engine.CountersByRule.Values, c => Assert.Equal(new TopicRuleCounters(), c));
        foreach (var queue in model.Queues.Values)
        {
            Assert.Equal(0, await CountAsync(sqs, queue.Url));
        }
    }

    [Fact]
    public async Task Publish_ToARuleThatDoesNotExist_IsAcknowledgedDroppedAndCountedAsRuleNotFound()
    {
        var (model, sqs) = await ProvisionAsync();
        using var _ = sqs;
        await using var loop = await StartAsync(model, sqs);
        await using var client = await MqttTestClient.ConnectAsync(loop.Broker.Port, Operator);

        var published = await client.PublishAsync("$aws/rules/NoSuchRule/devices/lamp-1/telemetry", """{"light":1}""");
        await loop.Engine.WhenIdleAsync(CancellationToken.None).WaitAsync(MqttTestClient.Patience);

        // AWS: an error in the rules engine log and the RuleNotFound metric; the publisher is not told.
        Assert.True(published.IsSuccess, published.ReasonString);
        Assert.True(client.Client.IsConnected);
        Assert.Equal(1, loop.Engine.RulesNotFound);
        Assert.Equal(0, loop.Engine.Counters.MessagesMatched);
        Assert.Equal(0, await CountAsync(sqs, model.Queues["IngestQueue"].Url));
    }

    private Task<(StackModel Model, AmazonSQSClient Sqs)> ProvisionAsync() =>
        RealTemplateInMoto.ProvisionAsync(moto, "basic", new Dictionary<string, string> { ["TelemetryIngest"] = "basic" });

    private static Task<LocalIoT> StartAsync(StackModel model, IAmazonSQS sqs) =>
        LocalIoT.StartAsync(
            sqs,
            TemplateTopicRules.Read(model),
            TemplateDevicePolicy.Read(model)! with { PrivilegedClientIds = new HashSet<string> { Operator } });

    private static string RuleName(StackModel model, string logicalId) => $"{model.Stack.StackName}_{logicalId}";

    private static string BasicIngestTopic(StackModel model, string thing) => $"$aws/rules/{RuleName(model, "TelemetryRule")}/devices/{thing}/telemetry";

    private static async Task<List<Message>> ReceiveAsync(IAmazonSQS sqs, string queueUrl)
    {
        var received = await sqs.ReceiveMessageAsync(new ReceiveMessageRequest(queueUrl) { MaxNumberOfMessages = 10, WaitTimeSeconds = 1 });
        return received.Messages ?? [];
    }

    private static async Task<int> CountAsync(IAmazonSQS sqs, string queueUrl)
    {
        var attributes = await sqs.GetQueueAttributesAsync(queueUrl, ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"]);
        return attributes.ApproximateNumberOfMessages + attributes.ApproximateNumberOfMessagesNotVisible;
    }
}
