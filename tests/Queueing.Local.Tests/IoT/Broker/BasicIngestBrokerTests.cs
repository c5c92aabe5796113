using MQTTnet;
using MQTTnet.Formatter;
using Queueing.Emulators.IoT.Broker;

namespace Queueing.Local.Tests.IoT.Broker;

/// <summary>
/// Basic Ingest topics (<c>$aws/rules/&lt;rule name&gt;/...</c>) in the local broker, as the AWS IoT developer guide
/// describes them: the message goes to the rules engine for that rule, never to a subscriber; nobody may subscribe
/// to such a topic; the <c>$aws/rules/&lt;rule name&gt;</c> prefix counts toward no topic limit.
/// </summary>
public sealed class BasicIngestBrokerTests
{
    private const string Topic = "$aws/rules/queueing_TelemetryRule/devices/lamp-1/telemetry";

    [Theory]
    [InlineData(MqttProtocolVersion.V311)]
    [InlineData(MqttProtocolVersion.V500)]
    public async Task Publish_OnABasicIngestTopic_IsAcknowledgedAndGoesToTheSinkForThatRuleButToNoSubscriber(MqttProtocolVersion version)
    {
        var sink = new RecordingSink();
        await using var broker = await StartAsync(new MqttBrokerOptions(), sink);
        await using var watcher = await MqttTestClient.ConnectAsync(broker.Port, "watcher", version);
        // Every filter that could see the message if the broker delivered it: the plain topic, everything, the $aws tree.
        foreach (var filter in new[] { "devices/lamp-1/telemetry", "devices/#", "#", "$aws/#", "watcher/sentinel" })
        {
            await watcher.SubscribeAsync(filter);
        }

        await using var device = await MqttTestClient.ConnectAsync(broker.Port, "lamp-1", version);

        var published = await device.PublishAsync(Topic, """{"lightValue":412}""");
        // Published after the device's message was fully handled: had the broker delivered that one, it would arrive first.
        await watcher.PublishAsync("watcher/sentinel", "after");

        Assert.True(published.IsSuccess, published.ReasonCode.ToString());
        Assert.True(device.Client.IsConnected);
        var seen = await sink.NextAsync();
        Assert.Equal(Topic, seen.Topic);
        Assert.Equal("lamp-1", seen.ClientId);
        Assert.Equal(new("queueing_TelemetryRule", "devices/lamp-1/telemetry"), seen.BasicIngest);
        var first = await watcher.ReceiveAsync();
        Assert.Equal(("watcher/sentinel", "after"), (first.Topic, first.Payload));
        Assert.False(watcher.TryReceive(out var more), more?.Topic);
        Assert.Equal(2, broker.Counters.Published); // the device's message and the sentinel
    }

    [Fact]
    public async Task Publish_OnAnOrdinaryTopic_TellsTheSinkItIsNoBasicIngestMessage()
    {
        var sink = new RecordingSink();
        await using var broker = await StartAsync(new MqttBrokerOptions(), sink);
        await using var device = await MqttTestClient.ConnectAsync(broker.Port, "lamp-1");

        await device.PublishAsync("devices/lamp-1/telemetry", "{}");

        Assert.Null((await sink.NextAsync()).BasicIngest);
    }

    [Theory]
    [InlineData("$aws/rules/queueing_TelemetryRule/devices/lamp-1/telemetry")]
    [InlineData("$aws/rules/queueing_TelemetryRule/#")]
    [InlineData("$aws/rules/#")]
    [InlineData("$aws/rules")]
    public async Task Subscribe_ToABasicIngestTopic_IsRefusedEvenWithoutAPolicy(string filter)
    {
        await using var broker = await StartAsync(new MqttBrokerOptions(), new RecordingSink());
        await using var client = await MqttTestClient.ConnectAsync(broker.Port, "watcher");

        var result = await client.SubscribeAsync(filter);

        Assert.Equal(MqttClientSubscribeResultCode.NotAuthorized, result.Items.Single().ResultCode);
        Assert.Equal(1, broker.Counters.SubscriptionsRejected);
    }

    [Fact]
    public async Task Publish_TheBasicIngestPrefixCountsTowardNoTopicLimit()
    {
        var sink = new RecordingSink();
        await using var broker = await StartAsync(new MqttBrokerOptions(), sink);
        await using var device = await MqttTestClient.ConnectAsync(broker.Port, "lamp-1");
        var sevenSlashes = "a/b/c/d/e/f/g/" + new string('h', 120);
        var rule = "$aws/rules/" + new string('r', 128) + "/"; // 128: the longest rule name AWS allows

        // 10 slashes and 274 bytes in all, but the rule sees 7 slashes and 134 bytes: accepted.
        var withinLimits = await device.PublishAsync(rule + sevenSlashes, "{}");
        // 8 slashes after the prefix: the same limit as any topic.
        var tooDeep = await device.PublishAsync(rule + "a/b/c/d/e/f/g/h/i", "{}");
        var tooLong = await device.PublishAsync(rule + new string('t', 257), "{}");

        Assert.True(withinLimits.IsSuccess, withinLimits.ReasonString);
        Assert.Equal(MqttClientPublishReasonCode.TopicNameInvalid, tooDeep.ReasonCode);
        Assert.Equal(MqttClientPublishReasonCode.TopicNameInvalid, tooLong.ReasonCode);
        Assert.Equal(sevenSlashes, (await sink.NextAsync()).BasicIngest!.RuleTopic);
        Assert.Equal(0, sink.Pending);
    }

    private static async Task<MqttBroker> StartAsync(MqttBrokerOptions options, IPublishedMessageSink sink)
    {
        var broker = new MqttBroker(options);
        broker.AddSink(sink);
        await broker.StartAsync(CancellationToken.None);
        return broker;
    }
}
