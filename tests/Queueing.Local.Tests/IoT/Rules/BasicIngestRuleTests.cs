using Amazon.SQS;
using Amazon.SQS.Model;
using Microsoft.Extensions.Time.Testing;
using Queueing.Emulators.IoT.Broker;
using Queueing.Emulators.IoT.Rules;
using Queueing.Testing;

namespace Queueing.Local.Tests.IoT.Rules;

/// <summary>
/// How the rules engine runs a Basic Ingest message: the named rule only, on the topic without
/// <c>$aws/rules/&lt;rule name&gt;</c>, its WHERE applying but not its FROM; other rules never see it.
/// </summary>
public sealed class BasicIngestRuleTests(MotoServer moto) : IClassFixture<MotoServer>
{
    private const string Operator = "operator";
    private static readonly DateTimeOffset Now = DateTimeOffset.FromUnixTimeMilliseconds(1764288000123);

    // A client allowed every topic (an IAM principal with iot:*): these tests are about the rules, not the policy.
    private static readonly DevicePolicy AnyTopic = QueueingApplication.DevicePolicy with { PrivilegedClientIds = new HashSet<string> { Operator } };

    [Fact]
    public async Task BasicIngest_RunsOnlyTheNamedRule_OnTheTopicWithoutThePrefix_WhateverItsFrom()
    {
        using var sqs = moto.CreateSqs();
        var named = await CreateQueueAsync(sqs, "Named");
        var other = await CreateQueueAsync(sqs, "Other");
        // FROM names a topic the message is not on: AWS makes FROM optional for rules invoked by Basic Ingest and does
        // not filter on it; topic() and topic(n) are the topic after the prefix.
        var rules = new[]
        {
            new TopicRuleDefinition("Named", "SELECT *, topic() AS t, topic(1) AS first, topic(2) AS deviceId FROM 'elsewhere/+'", "2016-03-23", [new SqsRuleAction(named)], null),
            new TopicRuleDefinition("Other", "SELECT * FROM '#'", "2016-03-23", [new SqsRuleAction(other)], null),
        };
        await using var stack = await LocalIoT.StartAsync(sqs, rules, policy: AnyTopic, time: new FakeTimeProvider(Now));
        await using var device = await MqttTestClient.ConnectAsync(stack.Broker.Port, Operator);

        await device.PublishAsync("$aws/rules/Named/devices/lamp-1/telemetry", """{"v":1}""");
        await stack.Engine.WhenIdleAsync(CancellationToken.None).WaitAsync(MqttTestClient.Patience);

        Assert.Equal(["""{"v":1,"t":"devices/lamp-1/telemetry","first":"devices","deviceId":"lamp-1"}"""], await ReceiveAsync(sqs, named));
        // "#" matches every topic but a $ one, and a Basic Ingest message never reaches the broker's other rules.
        Assert.Equal(0, stack.Engine.CountersByRule["Other"].MessagesMatched);
        Assert.Empty(await ReceiveAsync(sqs, other));
    }

    [Fact]
    public async Task BasicIngest_WhereStillApplies()
    {
        using var sqs = moto.CreateSqs();
        var queue = await CreateQueueAsync(sqs, "Named");
        var rule = new TopicRuleDefinition("Named", "SELECT * FROM 'devices/+/telemetry' WHERE isUndefined(deviceId)", "2016-03-23", [new SqsRuleAction(queue)], null);
        await using var stack = await LocalIoT.StartAsync(sqs, [rule], policy: AnyTopic);
        await using var device = await MqttTestClient.ConnectAsync(stack.Broker.Port, Operator);

        await device.PublishAsync("$aws/rules/Named/devices/lamp-1/telemetry", """{"deviceId":"x"}""");
        await device.PublishAsync("$aws/rules/Named/devices/lamp-1/telemetry", """{"v":2}""");
        await stack.Engine.WhenIdleAsync(CancellationToken.None).WaitAsync(MqttTestClient.Patience);

        Assert.Equal(["""{"v":2}"""], await ReceiveAsync(sqs, queue));
        Assert.Equal(1, stack.Engine.CountersByRule["Named"].MessagesMatched);
    }

    [Fact]
    public async Task BasicIngest_ToADisabledRule_IsRuleNotFound()
    {
        // AWS treats an inactive rule like a missing one: an error log and the RuleNotFound metric.
        using var sqs = moto.CreateSqs();
        var queue = await CreateQueueAsync(sqs, "Named");
        var rule = new TopicRuleDefinition("Named", "SELECT * FROM 'devices/+/telemetry'", "2016-03-23", [new SqsRuleAction(queue)], null, Disabled: true);
        await using var stack = await LocalIoT.StartAsync(sqs, [rule], policy: AnyTopic);
        await using var device = await MqttTestClient.ConnectAsync(stack.Broker.Port, Operator);

        var published = await device.PublishAsync("$aws/rules/Named/devices/lamp-1/telemetry", "{}");
        await device.PublishAsync("$aws/rules", "{}");
        await stack.Engine.WhenIdleAsync(CancellationToken.None).WaitAsync(MqttTestClient.Patience);

        Assert.True(published.IsSuccess);
        Assert.Equal(2, stack.Engine.RulesNotFound);
        Assert.Empty(await ReceiveAsync(sqs, queue));
    }

    private static async Task<string> CreateQueueAsync(IAmazonSQS sqs, string name) =>
        (await sqs.CreateQueueAsync($"{name}-{Guid.NewGuid():N}")).QueueUrl;

    private static async Task<List<string>> ReceiveAsync(IAmazonSQS sqs, string queueUrl)
    {
        var response = await sqs.ReceiveMessageAsync(new ReceiveMessageRequest { QueueUrl = queueUrl, MaxNumberOfMessages = 10, WaitTimeSeconds = 1 });
        return response.Messages?.Select(m => m.Body).ToList() ?? [];
    }
}
