using System.Text.Json;

namespace Queueing.Ingest.Telemetry;

/// <summary>
/// The envelope format of the replaced setup: <c>{"deviceID": "&lt;thing name&gt;", "data": {...}}</c>. <c>data</c>
/// is the event (its <c>timestamp</c> the event time, its <c>resource</c> dropped, every other field a measurement);
/// <c>deviceID</c> must equal the device id the rule derived (from the topic or the MQTT client id), or the record is
/// rejected: the payload never decides the resource. Nothing else may stand beside the two (besides the rule's own
/// <c>deviceId</c> and <c>receivedAt</c> when the rule merged them in): a field there would be lost, so the record is
/// malformed instead.
/// </summary>
internal static class EnvelopePayload
{
    private const string Shape = "{\"deviceID\": \"<thing name>\", \"data\": {<measurements>}}";

    /// <param name="fields">The payload's top-level fields.</param>
    /// <param name="body">The bytes the fields point into.</param>
    /// <param name="withRuleFields">The telemetry rule merged <c>deviceId</c> and <c>receivedAt</c> into the payload.</param>
    /// <param name="deviceId">The device id the rule derived.</param>
    /// <param name="derivedFrom">Where it comes from, for the reason (e.g. "the topic").</param>
    public static PayloadEvent Read(List<JsonField> fields, ReadOnlySpan<byte> body, bool withRuleFields, string deviceId, string derivedFrom)
    {
        var claimed = JsonFields.Single(fields, FieldName.EnvelopeDeviceId, "body", "deviceID", out var problem);
        var data = problem is null ? JsonFields.Single(fields, FieldName.Data, "body", "data", out problem) : null;
        problem ??= Unexpected(fields, body, withRuleFields);
        if (problem is not null)
        {
            return Malformed(problem);
        }

        if (data is not { } dataField)
        {
            return Malformed($"body has no data (expected {Shape})");
        }

        if (dataField.Kind != JsonTokenType.StartObject)
        {
            return Malformed($"data must be a JSON object of measurements, got a JSON {JsonFields.Describe(dataField.Kind)}");
        }

        if (claimed is not { } claimedField)
        {
            return Malformed($"body has no deviceID (expected {Shape})");
        }

        if (claimedField.ReadString(body) is not { } claimedId)
        {
            return Malformed($"deviceID must be a string, got a JSON {JsonFields.Describe(claimedField.Kind)}");
        }

        if (!string.Equals(claimedId, deviceId, StringComparison.Ordinal))
        {
            return PayloadEvent.Mismatch(
                $"envelope format: the payload's deviceID '{TelemetryParser.Shorten(claimedId)}' disagrees with '{deviceId}', the device id " +
                $"taken from {derivedFrom}: a spoof attempt or a misconfigured device, so it is delivered to no resource");
        }

        return ReadData(dataField, body);
    }

    private static PayloadEvent ReadData(JsonField data, ReadOnlySpan<byte> body)
    {
        var fields = JsonFields.Read(body, data.ValueStart, data.ValueLength, out _)!;
        var timestampField = JsonFields.Single(fields, FieldName.Timestamp, "data", "timestamp", out var problem);
        long? timestamp = null;
        if (problem is null && timestampField is { } field)
        {
            problem = EventTime.ReadTimestamp(field, body, "data.timestamp", out timestamp);
        }

        if (problem is not null)
        {
            return Malformed(problem);
        }

        var measurements = JsonFields.Measurements(fields, static name => name is not (FieldName.Timestamp or FieldName.Resource));
        return measurements.Length == 0
            ? Malformed("data has no measurement (a field other than timestamp and resource)")
            : PayloadEvent.Ok(measurements, timestamp);
    }

    private static string? Unexpected(List<JsonField> fields, ReadOnlySpan<byte> body, bool withRuleFields)
    {
        foreach (var field in fields)
        {
            var allowed = field.Name is FieldName.EnvelopeDeviceId or FieldName.Data
                || (withRuleFields && field.Name is FieldName.DeviceId or FieldName.ReceivedAt);
            if (!allowed)
            {
                return $"unexpected field '{TelemetryParser.Shorten(field.RawName(body))}' beside deviceID and data (measurements belong in data)";
            }
        }

        return null;
    }

    private static PayloadEvent Malformed(string reason) => PayloadEvent.Malformed(TelemetryFormat.Envelope, reason);
}
