using Queueing.Contracts.Events;

namespace Queueing.Ingest.Telemetry;

/// <summary>
/// What a payload format made of a payload: the measurements and the payload's own event time, or why it does not
/// fit the format (malformed), or a deviceID that disagrees with the rule's device id (rejected).
/// </summary>
internal readonly record struct PayloadEvent(Measurement[]? Measurements, long? Timestamp, string? MalformedReason, string? MismatchReason)
{
    public static PayloadEvent Ok(Measurement[] measurements, long? timestamp) => new(measurements, timestamp, null, null);

    public static PayloadEvent Malformed(TelemetryFormat format, string reason) => new(null, null, $"{format.Name()} format: {reason}", null);

    public static PayloadEvent Mismatch(string reason) => new(null, null, null, reason);

    /// <summary>
    /// The record's outcome: the reading of <paramref name="deviceId"/> (measurements in <paramref name="body"/>), timed
    /// by the payload's own timestamp, else the rule's receive time, else when SQS got the record.
    /// </summary>
    public TelemetryParseResult ToResult(in SqsRecord record, int index, string deviceId, ReadOnlyMemory<byte> body, long? receivedAt)
    {
        if (MismatchReason is { } mismatch)
        {
            return TelemetryParseResult.RejectedDeviceIdMismatch(mismatch);
        }

        if (MalformedReason is { } malformed)
        {
            return TelemetryParseResult.Malformed(malformed);
        }

        var time = Timestamp ?? receivedAt ?? record.SentTime?.ToUnixTimeMilliseconds();
        return time is { } ms
            ? TelemetryParseResult.Ok(new TelemetryReading(index, deviceId, ms, body, Measurements!))
            : TelemetryParseResult.Malformed("no event time: the payload has no timestamp, the body no receivedAt, and the record no SentTimestamp");
    }
}
