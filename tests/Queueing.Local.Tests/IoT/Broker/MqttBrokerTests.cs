using System.Text;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;
using Queueing.Emulators.IoT.Broker;

namespace Queueing.Local.Tests.IoT.Broker;

public sealed class MqttBrokerTests
{
    [Theory]
    [InlineData(MqttProtocolVersion.V311)]
    [InlineData(MqttProtocolVersion.V500)]
    public async Task Publish_FromClient_ReachesSubscriberAndSinkWithClientId(MqttProtocolVersion version)
    {
        var sink = new RecordingSink();
        await using var broker = await StartAsync(new MqttBrokerOptions(), sink);
        await using var subscriber = await MqttTestClient.ConnectAsync(broker.Port, "watcher", version);
        await subscriber.SubscribeAsync("devices/+/telemetry");
        await using var device = await MqttTestClient.ConnectAsync(broker.Port, "lamp-1", version);

        await device.PublishAsync("devices/lamp-1/telemetry", """{"lightValue":412}""");

        var received = await subscriber.ReceiveAsync();
        Assert.Equal("devices/lamp-1/telemetry", received.Topic);
        Assert.Equal("""{"lightValue":412}""", received.Payload);
        var seen = await sink.NextAsync();
        Assert.Equal("lamp-1", seen.ClientId);
        Assert.Equal("devices/lamp-1/telemetry", seen.Topic);
        Assert.Equal("""{"lightValue":412}""", Encoding.UTF8.GetString(seen.Payload.Span));
        Assert.Equal(1, broker.Counters.Published);
    }

    [Fact]
    public async Task PublishAsync_AsTheService_DeliversUserPropertiesAndTellsSinkItIsNotMqtt()
    {
        var sink = new RecordingSink();
        await using var broker = await StartAsync(new MqttBrokerOptions { Policy = QueueingApplication.DevicePolicy }, sink);
        await using var device = await MqttTestClient.ConnectAsync(broker.Port, "lamp-1");
        await device.SubscribeAsync("devices/lamp-1/commands");

        await broker.PublishAsync("devices/lamp-1/commands", """{"lightStatus":"on"}"""u8.ToArray(), 1, [KeyValuePair.Create("commandId", "c-1")], retain: false, CancellationToken.None);

        var received = await device.ReceiveAsync();
        Assert.Equal("""{"lightStatus":"on"}""", received.Payload);
        Assert.Equal(1, received.Qos);
        Assert.Equal([KeyValuePair.Create("commandId", "c-1")], received.UserProperties);
        var seen = await sink.NextAsync();
        Assert.Null(seen.ClientId);
        Assert.Equal([KeyValuePair.Create("commandId", "c-1")], seen.UserProperties);
    }

    [Fact]
    public async Task Publish_ToAnotherThingsTopicUnderPolicy_IsRefusedAsNotAuthorizedAndNotRouted()
    {
        var sink = new RecordingSink();
        await using var broker = await StartAsync(new MqttBrokerOptions { Policy = QueueingApplication.DevicePolicy }, sink);
        await using var device = await MqttTestClient.ConnectAsync(broker.Port, "lamp-1");

        var refused = await device.PublishAsync("devices/lamp-2/telemetry", "{}");
        var allowed = await device.PublishAsync("devices/lamp-1/telemetry", """{"n":2}""");

        Assert.Equal(MqttClientPublishReasonCode.NotAuthorized, refused.ReasonCode);
        Assert.True(allowed.IsSuccess);
        // The sink's first message is the allowed one: the refused publish never reached the rules.
        Assert.Equal("devices/lamp-1/telemetry", (await sink.NextAsync()).Topic);
        Assert.Equal(1, broker.Counters.PublishesRejected);
    }

    [Fact]
    public async Task Publish_RefusedOnMqtt311_ClosesTheConnection()
    {
        await using var broker = await StartAsync(new MqttBrokerOptions { Policy = QueueingApplication.DevicePolicy }, new RecordingSink());
        await using var device = await MqttTestClient.ConnectAsync(broker.Port, "lamp-1", MqttProtocolVersion.V311);
        var disconnected = new TaskCompletionSource();
        device.Client.DisconnectedAsync += _ =>
        {
            disconnected.TrySetResult();
            return Task.CompletedTask;
        };

        // QoS 0: an MQTT 3.1.1 client gets no answer to wait for, only the closed connection.
        await device.PublishAsync("devices/lamp-2/telemetry", "{}", MqttQualityOfServiceLevel.AtMostOnce);

        await disconnected.Task.WaitAsync(MqttTestClient.Patience);
        Assert.False(device.Client.IsConnected);
    }

    [Fact]
    public async Task Subscribe_ToWildcardOrForeignFilterUnderPolicy_IsRefusedButOwnCommandsAreGranted()
    {
        await using var broker = await StartAsync(new MqttBrokerOptions { Policy = QueueingApplication.DevicePolicy }, new RecordingSink());
        await using var device = await MqttTestClient.ConnectAsync(broker.Port, "lamp-1");

        var wildcard = await device.SubscribeAsync("devices/+/commands");
        var foreign = await device.SubscribeAsync("devices/lamp-2/commands");
        var own = await device.SubscribeAsync("devices/lamp-1/commands");

        Assert.Equal(MqttClientSubscribeResultCode.NotAuthorized, wildcard.Items.Single().ResultCode);
        Assert.Equal(MqttClientSubscribeResultCode.NotAuthorized, foreign.Items.Single().ResultCode);
        Assert.Equal(MqttClientSubscribeResultCode.GrantedQoS1, own.Items.Single().ResultCode);
        Assert.Equal(2, broker.Counters.SubscriptionsRejected);
    }

    [Fact]
    public async Task Connect_WithClientIdThatIsNotAThingNameUnderPolicy_IsRefused()
    {
        await using var broker = await StartAsync(new MqttBrokerOptions { Policy = QueueingApplication.DevicePolicy }, new RecordingSink());

        var error = await Assert.ThrowsAnyAsync<Exception>(() => MqttTestClient.ConnectAsync(broker.Port, "not a thing/name"));

        Assert.Contains("ClientIdentifierNotValid", error.Message, StringComparison.Ordinal);
        Assert.Equal(1, broker.Counters.ConnectionsRejected);
    }

    [Fact]
    public async Task Publish_PrivilegedClientUnderPolicy_MayUseAnyTopic()
    {
        var policy = QueueingApplication.DevicePolicy with { PrivilegedClientIds = new HashSet<string> { "operator" } };
        var sink = new RecordingSink();
        await using var broker = await StartAsync(new MqttBrokerOptions { Policy = policy }, sink);
        await using var operatorClient = await MqttTestClient.ConnectAsync(broker.Port, "operator");

        var subscribed = await operatorClient.SubscribeAsync("devices/#");
        var published = await operatorClient.PublishAsync("devices/lamp-9/telemetry", "{}");

        Assert.Equal(MqttClientSubscribeResultCode.GrantedQoS1, subscribed.Items.Single().ResultCode);
        Assert.True(published.IsSuccess);
    }

    [Fact]
    public async Task Publish_OverTheSizeLimit_IsRefusedAndNotRouted()
    {
        var sink = new RecordingSink();
        await using var broker = await StartAsync(new MqttBrokerOptions { MaxPayloadBytes = 1024 }, sink);
        await using var device = await MqttTestClient.ConnectAsync(broker.Port, "lamp-1");

        var refused = await device.PublishAsync("devices/lamp-1/telemetry", new string('x', 1025));
        await device.PublishAsync("devices/lamp-1/telemetry", new string('x', 1024));

        Assert.Equal(MqttClientPublishReasonCode.ImplementationSpecificError, refused.ReasonCode);
        Assert.Equal(1024, (await sink.NextAsync()).Payload.Length);
    }

    [Fact]
    public async Task Publish_ToTopicWithMoreThanSevenSlashes_IsRefused()
    {
        await using var broker = await StartAsync(new MqttBrokerOptions(), new RecordingSink());
        await using var device = await MqttTestClient.ConnectAsync(broker.Port, "lamp-1");

        var refused = await device.PublishAsync("a/b/c/d/e/f/g/h/i", "{}");

        Assert.Equal(MqttClientPublishReasonCode.TopicNameInvalid, refused.ReasonCode);
    }

    [Fact]
    public async Task Subscribe_WithQos2_IsGrantedQos1LikeAwsIotCore()
    {
        await using var broker = await StartAsync(new MqttBrokerOptions(), new RecordingSink());
        await using var client = await MqttTestClient.ConnectAsync(broker.Port, "lamp-1");

        var result = await client.SubscribeAsync("devices/lamp-1/commands", MqttQualityOfServiceLevel.ExactlyOnce);

        Assert.Equal(MqttClientSubscribeResultCode.GrantedQoS1, result.Items.Single().ResultCode);
    }

    [Fact]
    public async Task Publish_WithQos2_IsNotRoutedAndTheClientIsDisconnected()
    {
        var sink = new RecordingSink();
        await using var broker = await StartAsync(new MqttBrokerOptions(), sink);
        await using var device = await MqttTestClient.ConnectAsync(broker.Port, "lamp-1");
        var disconnected = new TaskCompletionSource();
        device.Client.DisconnectedAsync += _ =>
        {
            disconnected.TrySetResult();
            return Task.CompletedTask;
        };

        await Record.ExceptionAsync(() => device.PublishAsync("devices/lamp-1/telemetry", "{}", MqttQualityOfServiceLevel.ExactlyOnce));

        await disconnected.Task.WaitAsync(MqttTestClient.Patience);
        Assert.Equal(1, broker.Counters.PublishesRejected);
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
