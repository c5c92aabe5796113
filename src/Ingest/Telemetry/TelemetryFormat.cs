namespace Queueing.Ingest.Telemetry;

/// <summary>
/// How a device's payload carries its measurements (<c>TELEMETRY_FORMAT</c>, the template's <c>TelemetryFormat</c>).
/// The rules for each are in docs/ingest.md.
/// </summary>
public enum TelemetryFormat
{
    /// <summary>The payload object is the event: every field but <c>timestamp</c> and <c>resource</c> is a measurement.</summary>
    Flat,

    /// <summary>
    /// The replaced setup's <c>{"deviceID": "...", "data": {...}}</c>: <c>data</c> is the event, <c>deviceID</c> is
    /// checked against the device id the rule derived (topic or client id), never used as the resource.
    /// </summary>
    Envelope,
}

internal static class TelemetryFormats
{
    public static string Name(this TelemetryFormat format) => format == TelemetryFormat.Flat ? "flat" : "envelope";

    public static bool TryParse(string? text, out TelemetryFormat format)
    {
        foreach (var candidate in (ReadOnlySpan<TelemetryFormat>)[TelemetryFormat.Flat, TelemetryFormat.Envelope])
        {
            if (string.Equals(candidate.Name(), text, StringComparison.Ordinal))
            {
                format = candidate;
                return true;
            }
        }

        format = TelemetryFormat.Flat;
        return false;
    }
}
