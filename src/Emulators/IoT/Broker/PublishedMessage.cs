namespace Queueing.Local.IoT.Broker;

/// <summary>
/// A message the broker accepted, as the rules engine sees it. <see cref="ClientId"/> is null when the message
/// came through the IoT Data HTTP API rather than from an MQTT client.
/// </summary>
public sealed record PublishedMessage(
    string Topic,
    ReadOnlyMemory<byte> Payload,
    string? ClientId,
    int Qos,
    bool Retain,
    IReadOnlyList<KeyValuePair<string, string>> UserProperties,
    DateTimeOffset ReceivedAt);
