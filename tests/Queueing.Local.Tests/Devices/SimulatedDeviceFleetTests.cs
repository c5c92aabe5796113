using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Time.Testing;
using Queueing.Emulators.IoT.Broker;
using Queueing.Local.Devices;
using Queueing.Local.Tests.IoT;

namespace Queueing.Local.Tests.Devices;

public sealed class SimulatedDeviceFleetTests : IAsyncLifetime
{
    private static readonly DateTimeOffset Now = DateTimeOffset.FromUnixTimeMilliseconds(1764288000000);

    private readonly FakeTimeProvider _time = new(Now);
    private readonly RecordingSink _sink = new();
    private MqttBroker _broker = null!;

    public async Task InitializeAsync()
    {
        // The device policy is on: the devices must behave as the template's DevicePolicy allows.
        _broker = new MqttBroker(new MqttBrokerOptions { Policy = QueueingApplication.DevicePolicy }, _time);
        _broker.AddSink(_sink);
        await _broker.StartAsync(CancellationToken.None);
    }

    public async Task DisposeAsync() => await _broker.DisposeAsync();

    [Fact]
    public async Task Start_BoundedRun_EveryDevicePublishesItsMessagesOnItsOwnTelemetryTopic()
    {
        await using var fleet = new SimulatedDeviceFleet(Options(count: 3, messages: 5), _time);

        await fleet.StartAsync(CancellationToken.None);
        await fleet.Completion.WaitAsync(MqttTestClient.Patience);

        Assert.Equal(["device-001", "device-002", "device-003"], fleet.Devices.Select(d => d.ThingName));
        Assert.Equal(new FleetCounters(15, 0, 0, 3), fleet.Counters);
        Assert.Equal(15, _broker.Counters.Published);
        var seen = new List<PublishedMessage>();
        for (var i = 0; i < 15; i++)
        {
            seen.Add(await _sink.NextAsync());
        }

        foreach (var device in fleet.Devices)
        {
            var own = seen.Where(m => m.ClientId == device.ThingName).ToList();
            Assert.Equal(5, own.Count);
            Assert.All(own, m => Assert.Equal($"devices/{device.ThingName}/telemetry", m.Topic));
            var values = own.Select(m => Telemetry(m).LightValue).ToList();
            Assert.Equal(Enumerable.Range(0, 5).Select(n => new LightSignal().ValueAt(n, fleet.Devices.ToList().IndexOf(device), 3)), values);
            Assert.Equal(values[^1], device.LastValue);
            // The clock stands still: timestamps still rise by a millisecond, so Waylay never sees two events of a
            // resource with the same timestamp.
            Assert.Equal(Enumerable.Range(0, 5).Select(n => Now.ToUnixTimeMilliseconds() + n), own.Select(m => Telemetry(m).Timestamp));
        }
    }

    [Fact]
    public async Task Commands_PublishedToOneDevice_AreRecordedInOrderWithCommandIdAndOnlyThere()
    {
        await using var fleet = new SimulatedDeviceFleet(Options(count: 2, messages: 0), _time);
        await fleet.StartAsync(CancellationToken.None);
        var (first, second) = (fleet.Devices[0], fleet.Devices[1]);

        for (var i = 1; i <= 3; i++)
        {
            await _broker.PublishAsync(second.CommandTopic, Encoding.UTF8.GetBytes($$"""{"lightStatus":"{{(i % 2 == 1 ? "on" : "off")}}"}"""), 1, [KeyValuePair.Create("commandId", $"c-{i}")], retain: false, CancellationToken.None);
        }

        await _broker.PublishAsync(first.CommandTopic, """{"lightStatus":"on"}"""u8.ToArray(), 1, [KeyValuePair.Create("commandId", "c-9")], retain: false, CancellationToken.None);
        await second.WaitForCommandsAsync(3, CancellationToken.None).WaitAsync(MqttTestClient.Patience);
        await first.WaitForCommandsAsync(1, CancellationToken.None).WaitAsync(MqttTestClient.Patience);

        Assert.Equal([1, 2, 3], second.Commands.Select(c => c.Sequence));
        Assert.Equal(["c-1", "c-2", "c-3"], second.Commands.Select(c => c.CommandId));
        Assert.Equal(["""{"lightStatus":"on"}""", """{"lightStatus":"off"}""", """{"lightStatus":"on"}"""], second.Commands.Select(c => c.Payload));
        Assert.Equal("c-3", second.LastCommand?.CommandId);
        Assert.Equal("c-9", Assert.Single(first.Commands).CommandId);
        Assert.Equal(4, fleet.Counters.CommandsReceived);
    }

    [Fact]
    public async Task Stop_UnboundedRun_EndsPublishingAndDisconnects()
    {
        await using var fleet = new SimulatedDeviceFleet(Options(count: 2, messages: null) with { Interval = TimeSpan.FromSeconds(1) }, _time);
        await fleet.StartAsync(CancellationToken.None);
        await _sink.NextAsync();

        await fleet.StopAsync(CancellationToken.None).WaitAsync(MqttTestClient.Patience);

        Assert.True(fleet.Completion.IsCompletedSuccessfully);
        Assert.Equal(0, fleet.Counters.Connected);
    }

    [Fact]
    public async Task Start_MixedFleet_LegacyGroupPublishesEnvelopesOnTheSharedLegacyTopic()
    {
        // The policy the template gives with LegacyTelemetryTopicFilter=legacy/telemetry.
        var policy = QueueingApplication.DevicePolicy with { PublishTopics = [.. QueueingApplication.DevicePolicy.PublishTopics, "legacy/telemetry"] };
        var sink = new RecordingSink();
        await using var broker = new MqttBroker(new MqttBrokerOptions { Policy = policy }, _time);
        broker.AddSink(sink);
        await broker.StartAsync(CancellationToken.None);
        var flat = new SimulatedDeviceOptions { BrokerPort = broker.Port, Count = 1, MessagesPerDevice = 2, Interval = TimeSpan.Zero };
        var legacy = flat with { Count = 2, ThingNamePrefix = "legacy-", TelemetryTopicTemplate = "legacy/telemetry", Payload = DevicePayload.Envelope };
        await using var fleet = new SimulatedDeviceFleet([flat, legacy], _time);

        await fleet.StartAsync(CancellationToken.None);
        await fleet.Completion.WaitAsync(MqttTestClient.Patience);

        Assert.Equal(["device-001", "legacy-001", "legacy-002"], fleet.Devices.Select(d => d.ThingName));
        Assert.Equal(new FleetCounters(6, 0, 0, 3), fleet.Counters);
        var seen = new List<PublishedMessage>();
        for (var i = 0; i < 6; i++)
        {
            seen.Add(await sink.NextAsync());
        }

        Assert.All(seen.Where(m => m.ClientId == "device-001"), m => Assert.Equal("devices/device-001/telemetry", m.Topic));
        foreach (var device in fleet.Devices.Where(d => d.ThingName.StartsWith("legacy-", StringComparison.Ordinal)))
        {
            var own = seen.Where(m => m.ClientId == device.ThingName).ToList();
            Assert.Equal(2, own.Count);
            Assert.All(own, m =>
            {
                Assert.Equal("legacy/telemetry", m.Topic);
                using var json = JsonDocument.Parse(m.Payload);
                Assert.Equal(["deviceID", "data"], json.RootElement.EnumerateObject().Select(p => p.Name));
                Assert.Equal(device.ThingName, json.RootElement.GetProperty("deviceID").GetString());
                Assert.Equal(["lightValue", "timestamp"], json.RootElement.GetProperty("data").EnumerateObject().Select(p => p.Name));
            });
            // Commands still come on the device's own command topic.
            Assert.Equal($"devices/{device.ThingName}/commands", device.CommandTopic);
        }
    }

    [Fact]
    public void New_TwoGroupsWithTheSameNames_IsRefused()
    {
        var options = new SimulatedDeviceOptions { BrokerPort = 1, Count = 1 };

        Assert.Throws<ArgumentException>(() => new SimulatedDeviceFleet([options, options with { Payload = DevicePayload.Envelope }]));
    }

    [Fact]
    public void ValueAt_OverOnePeriod_CrossesTheThresholdBothWaysAndRepeats()
    {
        var signal = new LightSignal();

        var values = Enumerable.Range(0, signal.PeriodMessages).Select(n => signal.ValueAt(n, 0, 5)).ToList();
        var otherDevice = Enumerable.Range(0, signal.PeriodMessages).Select(n => signal.ValueAt(n, 1, 5)).ToList();

        Assert.Contains(values, v => v > 350);
        Assert.Contains(values, v => v < 350);
        Assert.Equal(values, Enumerable.Range(0, signal.PeriodMessages).Select(n => new LightSignal().ValueAt(n, 0, 5)));
        Assert.NotEqual(values, otherDevice);
    }

    private SimulatedDeviceOptions Options(int count, int? messages) =>
        new() { BrokerPort = _broker.Port, Count = count, MessagesPerDevice = messages, Interval = TimeSpan.Zero };

    private static (int LightValue, long Timestamp) Telemetry(PublishedMessage message)
    {
        using var json = JsonDocument.Parse(message.Payload);
        var root = json.RootElement;
        Assert.Equal(2, root.EnumerateObject().Count());
        return (root.GetProperty("lightValue").GetInt32(), root.GetProperty("timestamp").GetInt64());
    }
}
