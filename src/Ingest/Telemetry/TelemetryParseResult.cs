namespace Queueing.Ingest.Telemetry;

/// <summary>Either a reading or the reason the record is malformed (never both).</summary>
public readonly struct TelemetryParseResult
{
    private TelemetryParseResult(TelemetryReading? reading, string? malformedReason)
    {
        Reading = reading;
        MalformedReason = malformedReason;
    }

    public TelemetryReading? Reading { get; }
    public string? MalformedReason { get; }

    public static TelemetryParseResult Ok(TelemetryReading reading) => new(reading, null);

    public static TelemetryParseResult Malformed(string reason) => new(null, reason);
}
