using System.Net;

namespace Queueing.Emulators.IoT.Broker;

public sealed record MqttBrokerOptions
{
    public IPAddress Address { get; init; } = IPAddress.Loopback;

    /// <summary>0 picks a free port; read <see cref="MqttBroker.Port"/> after start.</summary>
    public int Port { get; init; }

    /// <summary>Null accepts any client on any topic (a plain broker); set it to enforce the device policy.</summary>
    public DevicePolicy? Policy { get; init; }

    /// <summary>AWS IoT Core's message size limit: 128 KB.</summary>
    public int MaxPayloadBytes { get; init; } = 128 * 1024;
}
