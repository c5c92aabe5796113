using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Time.Testing;
using Queueing.Emulators.IoT.Broker;
using Queueing.Local.Devices;
using Queueing.Local.Tests.IoT;

namespace Queueing.Local.Tests.Devices;

/// <summary>The simulated devices answer their commands on their ack topic, as the issue 15 contract says.</summary>
public sealed class SimulatedDeviceAckTests : IAsyncLifetime
{
    private const string AckTopicTemplate = "devices/{deviceId}/commands/ack";

    private readonly FakeTimeProvider _time = new(DateTimeOffset.FromUnixTimeMilliseconds(1764288000000));
    private readonly RecordingSink _sink = new();
    private MqttBroker _broker = null!;

    public async Task InitializeAsync()
    {
        // The built-in device policy, the template's (PublishOwnCommandAcks): a device may publish on its own ack topic only.
        _broker = new MqttBroker(new MqttBrokerOptions { Policy = QueueingApplication.DevicePolicy }, _time);
        _broker.AddSink(_sink);
        await _broker.StartAsync(CancellationToken.None);
    }

    public async Task DisposeAsync() => await _broker.DisposeAsync();

    [Fact]
    public async Task Command_WithIdAndAcceptedAt_IsAcknowledgedDoneOnTheDevicesOwnAckTopic_QoS1()
    {
        await using var fleet = new SimulatedDeviceFleet(Options(count: 2), _time);
        await fleet.StartAsync(CancellationToken.None);
        var device = fleet.Devices[1];

        await SendCommandAsync(device, "c-1", acceptedAt: "2025-11-28T00:00:00.123Z");
        var ack = await NextAckAsync();

        Assert.Equal("devices/device-002/commands/ack", ack.Topic);
        Assert.Equal("device-002", ack.ClientId);
        Assert.Equal(1, ack.Qos);
        Assert.Equal("""{"commandId":"c-1","status":"done","acceptedAt":"2025-11-28T00:00:00.123Z"}""", Encoding.UTF8.GetString(ack.Payload.Span));
        await device.WaitForAcksAsync(CancellationToken.None).WaitAsync(MqttTestClient.Patience);
        Assert.Equal(new AckCounters(1, 1, 0, 0, 0, 0), device.Acks);
        Assert.Equal("done", device.LastAck);
        Assert.Equal(AckOutcome.Done, Assert.Single(device.Commands).Ack);
        Assert.Equal(new AckCounters(1, 1, 0, 0, 0, 0), fleet.Acks);
    }

    [Fact]
    public async Task Command_WithoutAcceptedAt_AckHasNoAcceptedAt_AndWithoutCommandId_IsNotAcknowledgedButCountedSilent()
    {
        await using var fleet = new SimulatedDeviceFleet(Options(count: 1), _time);
        await fleet.StartAsync(CancellationToken.None);
        var device = fleet.Devices[0];

        await _broker.PublishAsync(device.CommandTopic, """{"lightStatus":"on"}"""u8.ToArray(), 1, [], retain: false, CancellationToken.None);
        await SendCommandAsync(device, "c-2", acceptedAt: null);
        await device.WaitForCommandsAsync(2, CancellationToken.None).WaitAsync(MqttTestClient.Patience);
        await device.WaitForAcksAsync(CancellationToken.None).WaitAsync(MqttTestClient.Patience);

        // The one ack is the second command's: the first had no command id to echo.
        var ack = Assert.Single(await DeviceMessagesAsync());
        Assert.Equal("""{"commandId":"c-2","status":"done"}""", Encoding.UTF8.GetString(ack.Payload.Span));
        Assert.Equal([AckOutcome.Silent, AckOutcome.Done], device.Commands.Select(c => c.Ack));
        Assert.Equal(new AckCounters(2, 1, 0, 1, 0, 0), device.Acks);
    }

    [Fact]
    public async Task Rates_SplitTheCommandsAsEachDevicesSeededDrawsSay_FailedAcksCarryADetail_AndARunRepeats()
    {
        var behaviour = new AckBehaviour(FailureRate: 0.3, SilenceRate: 0.2);
        const int Commands = 40;

        var first = await RunAsync(behaviour, Commands);
        var second = await RunAsync(behaviour, Commands);

        Assert.Equal(first.Outcomes, second.Outcomes);
        for (var index = 0; index < 2; index++)
        {
            // What the device's generator (seeded from its index) decides, command by command.
            var draws = AckBehaviour.GeneratorFor(index);
            var expected = Enumerable.Range(0, Commands).Select(_ => behaviour.Outcome(draws.NextDouble())).ToList();
            Assert.Equal(expected, first.Outcomes[index]);
            Assert.Contains(AckOutcome.Done, expected);
            Assert.Contains(AckOutcome.Failed, expected);
            Assert.Contains(AckOutcome.Silent, expected);
        }

        var all = first.Outcomes.SelectMany(o => o).ToList();
        Assert.Equal(
            new AckCounters(2 * Commands, all.Count(o => o == AckOutcome.Done), all.Count(o => o == AckOutcome.Failed), all.Count(o => o == AckOutcome.Silent), 0, 0),
            first.Counters);
        Assert.Equal(all.Count(o => o != AckOutcome.Silent), first.Acks.Count);
        Assert.All(first.Acks, ack =>
        {
            using var json = JsonDocument.Parse(ack.Payload);
            var status = json.RootElement.GetProperty("status").GetString();
            Assert.Contains(status, new[] { "done", "failed" });
            Assert.Equal(status == "failed", json.RootElement.TryGetProperty("detail", out var detail));
            if (status == "failed")
            {
                Assert.Equal(AckBehaviour.FailureDetail, detail.GetString());
            }
        });
    }

    [Fact]
    public async Task Acks_ThePolicyRefuses_AreCountedNotPublished_NotAcknowledged()
    {
        // The policy without PublishOwnCommandAcks (the template before issue 15).
        var withoutAcks = QueueingApplication.DevicePolicy with { PublishTopics = ["devices/{thingName}/telemetry"] };
        await using var broker = new MqttBroker(new MqttBrokerOptions { Policy = withoutAcks }, _time);
        await broker.StartAsync(CancellationToken.None);
        await using var fleet = new SimulatedDeviceFleet(Options(count: 1) with { BrokerPort = broker.Port }, _time);
        await fleet.StartAsync(CancellationToken.None);
        var device = fleet.Devices[0];

        await broker.PublishAsync(device.CommandTopic, """{"lightStatus":"on"}"""u8.ToArray(), 1, [KeyValuePair.Create("commandId", "c-3")], retain: false, CancellationToken.None);
        await device.WaitForCommandsAsync(1, CancellationToken.None).WaitAsync(MqttTestClient.Patience);
        await device.WaitForAcksAsync(CancellationToken.None).WaitAsync(MqttTestClient.Patience);

        Assert.Equal(new AckCounters(1, 0, 0, 0, 1, 0), device.Acks);
        Assert.Equal("not published", device.LastAck);
        Assert.Equal("acks: sent 1, acknowledged 0, failed 0, silent 0, not published 1 (refused by the broker or not sent)", device.Acks.Line);
    }

    [Fact]
    public async Task NoAckTopic_TheDeviceNeverAcknowledges()
    {
        await using var fleet = new SimulatedDeviceFleet(Options(count: 1) with { AckTopicTemplate = null }, _time);
        await fleet.StartAsync(CancellationToken.None);
        var device = fleet.Devices[0];

        await SendCommandAsync(device, "c-4", acceptedAt: null);
        await device.WaitForCommandsAsync(1, CancellationToken.None).WaitAsync(MqttTestClient.Patience);

        Assert.Null(device.AckTopic);
        Assert.Equal(new AckCounters(1, 0, 0, 1, 0, 0), device.Acks);
        await fleet.DisposeAsync();
        Assert.Empty(await DeviceMessagesAsync());
    }

    [Theory]
    [InlineData(-0.1, 0, "--ack-failure-rate must be between 0 and 1")]
    [InlineData(0, 1.5, "--ack-silence-rate must be between 0 and 1")]
    [InlineData(double.NaN, 0, "--ack-failure-rate must be between 0 and 1")]
    [InlineData(0.6, 0.5, "add up to more than 1")]
    public void Validate_RatesOutOfRange_AreNamed(double failure, double silence, string problem) =>
        Assert.Contains(problem, Assert.Single(new AckBehaviour(failure, silence).Validate()));

    [Fact]
    public void Outcome_SplitsTheUnitIntervalFailedThenSilentThenDone()
    {
        var behaviour = new AckBehaviour(0.25, 0.5);

        Assert.Equal(
            [AckOutcome.Failed, AckOutcome.Failed, AckOutcome.Silent, AckOutcome.Silent, AckOutcome.Done, AckOutcome.Done],
            new[] { 0, 0.2499, 0.25, 0.7499, 0.75, 0.9999 }.Select(behaviour.Outcome));
        Assert.Empty(new AckBehaviour(1, 0).Validate());
        Assert.Empty(new AckBehaviour(0.5, 0.5).Validate());
    }

    private async Task<(List<List<AckOutcome>> Outcomes, AckCounters Counters, List<PublishedMessage> Acks)> RunAsync(AckBehaviour behaviour, int commands)
    {
        await using var fleet = new SimulatedDeviceFleet(Options(count: 2) with { Acks = behaviour }, _time);
        await fleet.StartAsync(CancellationToken.None);
        foreach (var device in fleet.Devices)
        {
            for (var i = 0; i < commands; i++)
            {
                await SendCommandAsync(device, $"{device.ThingName}-c-{i}", acceptedAt: null);
            }
        }

        foreach (var device in fleet.Devices)
        {
            await device.WaitForCommandsAsync(commands, CancellationToken.None).WaitAsync(MqttTestClient.Patience);
            await device.WaitForAcksAsync(CancellationToken.None).WaitAsync(MqttTestClient.Patience);
        }

        return ([.. fleet.Devices.Select(d => d.Commands.Select(c => c.Ack).ToList())], fleet.Acks, await DeviceMessagesAsync());
    }

    /// <summary>The next message a device published (the sink also sees the commands the test injects).</summary>
    private async Task<PublishedMessage> NextAckAsync()
    {
        while (true)
        {
            var message = await _sink.NextAsync();
            if (message.ClientId is not null)
            {
                return message;
            }
        }
    }

    /// <summary>What the devices published so far (the sink has every message the broker took by then).</summary>
    private async Task<List<PublishedMessage>> DeviceMessagesAsync()
    {
        var messages = new List<PublishedMessage>();
        while (_sink.Pending > 0)
        {
            messages.Add(await _sink.NextAsync());
        }

        return [.. messages.Where(m => m.ClientId is not null)];
    }

    private Task SendCommandAsync(SimulatedDevice device, string commandId, string? acceptedAt)
    {
        List<KeyValuePair<string, string>> properties = [KeyValuePair.Create("commandId", commandId)];
        if (acceptedAt is not null)
        {
            properties.Add(KeyValuePair.Create("acceptedAt", acceptedAt));
        }

        return _broker.PublishAsync(device.CommandTopic, """{"lightStatus":"on"}"""u8.ToArray(), 1, properties, retain: false, CancellationToken.None);
    }

    private SimulatedDeviceOptions Options(int count) => new()
    {
        BrokerPort = _broker.Port,
        Count = count,
        MessagesPerDevice = 0,
        Interval = TimeSpan.Zero,
        AckTopicTemplate = AckTopicTemplate,
    };
}
