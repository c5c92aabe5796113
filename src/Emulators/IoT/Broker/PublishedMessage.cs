namespace Queueing.Emulators.IoT.Broker;

/// <summary>
/// A message the broker accepted, as the rules engine sees it. <see cref="ClientId"/> is null when the message
/// came through the IoT Data HTTP API rather than from an MQTT client. <see cref="BasicIngest"/> is set when
/// <see cref="Topic"/> is a Basic Ingest topic: then only the rule it names may see the message.
/// </summary>
public sealed record PublishedMessage(
    string Topic,
    ReadOnlyMemory<byte> Payload,
    string? ClientId,
    int Qos,
    bool Retain,
    IReadOnlyList<KeyValuePair<string, string>> UserProperties,
    DateTimeOffset ReceivedAt)
{
    internal BasicIngestTopic? BasicIngest { get; init; }
}
