namespace Queueing.Actuate.Commands;

/// <summary>
/// A command as it travels through <c>CommandQueue.fifo</c>: accepted by the command API, published by the
/// command publisher. <paramref name="PayloadJson"/> is the caller's JSON value, byte for byte as it was sent.
/// </summary>
public sealed record Command(
    string CommandId,
    string DeviceId,
    string Topic,
    int Qos,
    string PayloadJson,
    DateTimeOffset AcceptedAt,
    DateTimeOffset ExpiresAt);
