namespace Queueing.Ingest.Telemetry;

/// <summary>
/// The flat format: the payload object is the event. <c>timestamp</c> is the event time, <c>resource</c> is dropped
/// (a payload cannot name the resource), the rule's <c>deviceId</c> and <c>receivedAt</c> are not measurements, and
/// every other top-level field is a measurement, copied verbatim.
/// </summary>
internal static class FlatPayload
{
    public static PayloadEvent Read(List<JsonField> fields, ReadOnlySpan<byte> body)
    {
        var timestampField = JsonFields.Single(fields, FieldName.Timestamp, "body", "timestamp", out var problem);
        long? timestamp = null;
        if (problem is null && timestampField is { } field)
        {
            problem = EventTime.ReadTimestamp(field, body, "timestamp", out timestamp);
        }

        if (problem is not null)
        {
            return PayloadEvent.Malformed(TelemetryFormat.Flat, problem);
        }

        var measurements = JsonFields.Measurements(
            fields, static name => name is not (FieldName.DeviceId or FieldName.ReceivedAt or FieldName.Timestamp or FieldName.Resource));
        return measurements.Length == 0
            ? PayloadEvent.Malformed(TelemetryFormat.Flat, "body has no measurement (a field other than deviceId, receivedAt, timestamp and resource)")
            : PayloadEvent.Ok(measurements, timestamp);
    }
}
