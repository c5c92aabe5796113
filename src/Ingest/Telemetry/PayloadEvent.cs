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
}
