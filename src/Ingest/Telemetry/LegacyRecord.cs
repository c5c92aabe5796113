using System.Text.Json;
using Queueing.Contracts.Devices;
using Queueing.Contracts.Events;

namespace Queueing.Ingest.Telemetry;

/// <summary>
/// What the template's LegacyTelemetryRule puts on IngestQueue for a message on a legacy topic (one that carries no
/// device id): <c>clientId</c> (the rule's <c>clientid()</c>; the device policy lets a device connect only with its
/// thing name as client id), <c>topic</c>, <c>receivedAt</c> and the payload, whatever it is, as
/// <c>base64OriginalPayload</c>. No payload field stands beside the rule's, so none can compete with them, and a
/// payload that is not JSON still arrives here to be parked instead of failing in the rule. The payload is read in
/// the envelope format, the replaced setup's; the device id is the client id, never the payload's <c>deviceID</c>.
/// </summary>
internal static class LegacyRecord
{
    private const string Source = "the MQTT client id (clientid(); the device policy binds it to the thing name)";

    public static TelemetryParseResult Parse(in SqsRecord record, int index, List<JsonField> fields, ReadOnlySpan<byte> body, int maxPayloadBytes)
    {
        string? problem = null;
        var clientId = ReadString(fields, body, FieldName.ClientId, "clientId", ref problem);
        var topic = ReadString(fields, body, FieldName.Topic, "topic", ref problem) ?? "?";
        var encoded = ReadString(fields, body, FieldName.Base64OriginalPayload, "base64OriginalPayload", ref problem);
        long? receivedAt = null;
        if (JsonFields.Single(fields, FieldName.ReceivedAt, "body", "receivedAt", out var duplicate) is { } receivedAtField)
        {
            problem ??= EventTime.ReadReceivedAt(receivedAtField, body, out receivedAt);
        }

        problem ??= duplicate;
        if (problem is not null || clientId is null || encoded is null)
        {
            return TelemetryParseResult.Malformed("legacy rule record: " + (problem ?? $"{(clientId is null ? "clientId" : "base64OriginalPayload")} is missing"));
        }

        var payload = new byte[encoded.Length / 4 * 3];
        if (!Convert.TryFromBase64String(encoded, payload, out var length))
        {
            return TelemetryParseResult.Malformed("legacy rule record: base64OriginalPayload is not base64");
        }

        if (length > maxPayloadBytes)
        {
            return TelemetryParseResult.Malformed($"the payload is {length} bytes, over the {maxPayloadBytes}-byte limit (MAX_TELEMETRY_BYTES)");
        }

        if (!ThingName.IsValid(clientId))
        {
            // clientid() is "n/a" for a message that did not come over MQTT (HTTPS publish); any other client id outside
            // the thing-name alphabet came from a principal the device policy does not cover.
            return TelemetryParseResult.Rejected(
                $"the message on the legacy topic '{TelemetryParser.Shorten(topic)}' has client id '{TelemetryParser.Shorten(clientId)}', which is not a thing name " +
                (clientId == "n/a" ? "(it did not arrive over MQTT)" : $"(1 to {ThingName.MaxLength} characters of a-z, A-Z, 0-9, ':', '_', '-')") +
                ", so it names no device and is delivered to no resource (the payload is in base64OriginalPayload)");
        }

        payload = payload[..length];
        return ReadPayload(payload, clientId).ToResult(record, index, clientId, payload, receivedAt);
    }

    private static PayloadEvent ReadPayload(byte[] payload, string clientId)
    {
        if (payload.Length == 0)
        {
            return PayloadEvent.Malformed(TelemetryFormat.Envelope, "the payload is empty; expected a JSON object");
        }

        try
        {
            var fields = JsonFields.Read(payload, 0, payload.Length, out var kind);
            return fields is null
                ? PayloadEvent.Malformed(TelemetryFormat.Envelope, $"the payload is a JSON {JsonFields.Describe(kind)}; expected an object")
                : EnvelopePayload.Read(fields, payload, withRuleFields: false, clientId, Source);
        }
        catch (JsonException ex)
        {
            return PayloadEvent.Malformed(TelemetryFormat.Envelope, "the payload is not valid JSON: " + ex.Message);
        }
    }

    private static string? ReadString(List<JsonField> fields, ReadOnlySpan<byte> body, FieldName name, string label, ref string? problem)
    {
        var field = JsonFields.Single(fields, name, "body", label, out var duplicate);
        problem ??= duplicate;
        if (field is not { } found)
        {
            return null;
        }

        var value = found.ReadString(body);
        if (value is null)
        {
            problem ??= $"{label} must be a string, got a JSON {JsonFields.Describe(found.Kind)}";
        }

        return value;
    }
}
