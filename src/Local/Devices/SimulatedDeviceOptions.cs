using MQTTnet.Formatter;

namespace Queueing.Local.Devices;

/// <summary>The telemetry a simulated device publishes (docs/ingest.md, payload formats).</summary>
internal enum DevicePayload
{
    /// <summary><c>{"lightValue":n,"timestamp":ms}</c></summary>
    Flat,

    /// <summary>The replaced setup's <c>{"deviceID":"&lt;thing name&gt;","data":{"lightValue":n,"timestamp":ms}}</c>.</summary>
    Envelope,
}

internal sealed record SimulatedDeviceOptions
{
    public string BrokerHost { get; init; } = "127.0.0.1";

    public required int BrokerPort { get; init; }

    public int Count { get; init; } = 1;

    /// <summary>Thing names are the prefix and a three-digit number from 1: <c>device-001</c>, <c>device-002</c>...</summary>
    public string ThingNamePrefix { get; init; } = "device-";

    /// <summary>Time between a device's telemetry messages (on the injected <see cref="TimeProvider"/>).</summary>
    public TimeSpan Interval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>How many telemetry messages each device sends; null sends until stopped.</summary>
    public int? MessagesPerDevice { get; init; }

    public string TelemetryTopicTemplate { get; init; } = "devices/{deviceId}/telemetry";

    /// <summary>How the telemetry is written: today's flat object, or the replaced setup's envelope.</summary>
    public DevicePayload Payload { get; init; } = DevicePayload.Flat;

    public string CommandTopicTemplate { get; init; } = "devices/{deviceId}/commands";

    /// <summary>The MQTT 5 user property carrying the command id, as the command publisher sets it.</summary>
    public string CommandIdProperty { get; init; } = "commandId";

    /// <summary>The MQTT 5 user property carrying the time the command API accepted the command, echoed in the ack.</summary>
    public string AcceptedAtProperty { get; init; } = "acceptedAt";

    /// <summary>Where a device acknowledges its commands (<c>{deviceId}</c> for its thing name); null: it does not.</summary>
    public string? AckTopicTemplate { get; init; }

    /// <summary>What the devices answer to their commands (see <see cref="AckBehaviour"/>).</summary>
    public AckBehaviour Acks { get; init; } = AckBehaviour.AlwaysDone;

    public MqttProtocolVersion ProtocolVersion { get; init; } = MqttProtocolVersion.V500;

    public LightSignal Signal { get; init; } = new();

    internal string TopicFor(string template, string thingName) => template.Replace("{deviceId}", thingName, StringComparison.Ordinal);
}
