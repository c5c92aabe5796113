namespace Queueing.Ingest.Telemetry;

/// <summary>
/// A reading, or why the record is not one: malformed (it can never be processed) or rejected (it could, but must
/// not be delivered). Exactly one of the three is set.
/// </summary>
internal readonly struct TelemetryParseResult
{
    private TelemetryParseResult(TelemetryReading? reading, string? malformedReason, string? rejectedReason, bool deviceIdMismatch)
    {
        Reading = reading;
        MalformedReason = malformedReason;
        RejectedReason = rejectedReason;
        DeviceIdMismatch = deviceIdMismatch;
    }

    public TelemetryReading? Reading { get; }
    public string? MalformedReason { get; }
    public string? RejectedReason { get; }

    /// <summary>Rejected because an envelope's <c>deviceID</c> disagrees with the device id the rule derived.</summary>
    public bool DeviceIdMismatch { get; }

    public static TelemetryParseResult Ok(TelemetryReading reading) => new(reading, null, null, false);

    public static TelemetryParseResult Malformed(string reason) => new(null, reason, null, false);

    public static TelemetryParseResult Rejected(string reason) => new(null, null, reason, false);

    public static TelemetryParseResult RejectedDeviceIdMismatch(string reason) => new(null, null, reason, true);
}
