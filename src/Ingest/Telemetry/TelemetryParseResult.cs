namespace Queueing.Ingest.Telemetry;

/// <summary>
/// A reading, or why the record is not one: malformed (it can never be processed) or rejected (it could, but must
/// not be delivered). Exactly one of the three is set.
/// </summary>
public readonly struct TelemetryParseResult
{
    private TelemetryParseResult(TelemetryReading? reading, string? malformedReason, string? rejectedReason)
    {
        Reading = reading;
        MalformedReason = malformedReason;
        RejectedReason = rejectedReason;
    }

    public TelemetryReading? Reading { get; }
    public string? MalformedReason { get; }
    public string? RejectedReason { get; }

    public static TelemetryParseResult Ok(TelemetryReading reading) => new(reading, null, null);

    public static TelemetryParseResult Malformed(string reason) => new(null, reason, null);

    public static TelemetryParseResult Rejected(string reason) => new(null, null, reason);
}
