namespace Queueing.Local.Devices;

/// <summary>A command as a device got it: its order of arrival (from 1), topic, payload, command id user property
/// (null when absent), every user property, and the loop latency it closed (null when it answered no threshold
/// crossing: see <see cref="LoopLatencyMeter"/>), and what the device answered (an ack done or failed, or nothing).</summary>
internal sealed record ReceivedCommand(
    int Sequence,
    string Topic,
    string Payload,
    string? CommandId,
    IReadOnlyList<KeyValuePair<string, string>> UserProperties,
    DateTimeOffset ReceivedAt,
    TimeSpan? LoopLatency = null,
    AckOutcome Ack = AckOutcome.Silent);
