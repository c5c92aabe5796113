using Queueing.Emulators.IoT.Broker;

namespace Queueing.Local.Up;

/// <summary>
/// Counts the telemetry that MQTT clients other than the simulated devices publish (your own device, see
/// <see cref="OutsideClients"/>), so the books count it as sent when Waylay counts it as delivered. The device
/// policy lets a client publish on its own telemetry topic only, so every message it gets from one is telemetry.
/// </summary>
internal sealed class OutsideTraffic : IPublishedMessageSink
{
    private volatile IReadOnlySet<string> _simulated = new HashSet<string>(StringComparer.Ordinal);
    private long _telemetry;

    public long TelemetryPublished => Interlocked.Read(ref _telemetry);

    /// <summary>The simulated devices' client ids (the fleet connects after the broker starts).</summary>
    public void Simulated(IEnumerable<string> thingNames) => _simulated = thingNames.ToHashSet(StringComparer.Ordinal);

    public void Accept(PublishedMessage message)
    {
        // A null client id is the IoT Data endpoint publishing a command.
        if (message.ClientId is { } client && !_simulated.Contains(client))
        {
            Interlocked.Increment(ref _telemetry);
        }
    }
}
