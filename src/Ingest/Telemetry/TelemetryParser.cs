using System.Globalization;
using System.Text;
using System.Text.Json;
using Queueing.Contracts.Devices;
using Queueing.Contracts.Events;
using Queueing.Ingest.Commands;

namespace Queueing.Ingest.Telemetry;

/// <summary>
/// Turns an SQS record from a telemetry rule into a <see cref="TelemetryReading"/>, or says precisely why it is
/// malformed or rejected. Three rules write IngestQueue, and their records tell themselves apart:
/// <list type="bullet">
/// <item>TelemetryRule: the device's JSON object plus <c>deviceId</c> (from the topic) and <c>receivedAt</c> (the
/// rule's receive time, Unix ms); the payload is read in the configured <see cref="TelemetryFormat"/>.</item>
/// <item>TelemetryClaimRule: no <c>deviceId</c> but <c>topicDeviceId</c> (<see cref="IdentityClaim"/>): rejected.</item>
/// <item>LegacyTelemetryRule: no <c>deviceId</c> but <c>clientId</c> and the payload in base64
/// (<see cref="LegacyRecord"/>): always the envelope format.</item>
/// <item>CommandAckRule and the command publisher: <c>commandEvent</c>, which no telemetry record carries
/// (<see cref="CommandEvents"/>): one Waylay event about a command.</item>
/// </list>
/// One forward pass of <see cref="Utf8JsonReader"/> per object: no reflection, no DOM.
/// <para>
/// One parser per batch (not thread-safe): it reuses one field list from record to record, and hands out one string
/// per distinct device id, so a batch of 100 devices makes 100 device id strings, not one per record.
/// </para>
/// </summary>
internal sealed class TelemetryParser
{
    private readonly int _maxBytes;
    private readonly int _maxRecordBytes;
    private readonly TelemetryFormat _format;
    private readonly List<JsonField> _fields = new(16);
    private readonly HashSet<string> _deviceIds = new(StringComparer.Ordinal);
    private readonly HashSet<string>.AlternateLookup<ReadOnlySpan<char>> _deviceIdsBySpan;

    public TelemetryParser(int maxTelemetryBytes, TelemetryFormat format = TelemetryFormat.Flat)
    {
        _maxBytes = maxTelemetryBytes;
        _format = format;
        // The legacy and claim rules carry the payload in base64 (4 bytes per 3) beside their own few fields: their
        // records may be that much larger, and the limit applies to the payload they carry.
        _maxRecordBytes = (4 * ((maxTelemetryBytes + 2) / 3)) + 1024;
        _deviceIdsBySpan = _deviceIds.GetAlternateLookup<ReadOnlySpan<char>>();
    }

    public TelemetryParseResult Parse(in SqsRecord record, int index)
    {
        var body = record.Body;
        if (IsBlank(body.Span))
        {
            return TelemetryParseResult.Malformed("body is empty; expected a JSON object");
        }

        if (body.Length > _maxRecordBytes)
        {
            return TooLarge(body.Length);
        }

        try
        {
            return Parse(record, index, body);
        }
        catch (JsonException ex)
        {
            // Over the limit for a telemetry body, and not even JSON: the size is what the sender must fix first.
            return body.Length > _maxBytes ? TooLarge(body.Length) : TelemetryParseResult.Malformed("body is not valid JSON: " + ex.Message);
        }
    }

    /// <summary>Nothing but white space (Unicode's, as <see cref="string.IsNullOrWhiteSpace"/> counts it).</summary>
    private static bool IsBlank(ReadOnlySpan<byte> utf8)
    {
        while (!utf8.IsEmpty)
        {
            // The event reader let only valid UTF-8 through.
            Rune.DecodeFromUtf8(utf8, out var rune, out var consumed);
            if (!Rune.IsWhiteSpace(rune))
            {
                return false;
            }

            utf8 = utf8[consumed..];
        }

        return true;
    }

    private TelemetryParseResult Parse(in SqsRecord record, int index, ReadOnlyMemory<byte> bodyBytes)
    {
        var body = bodyBytes.Span;
        var fields = JsonFields.Read(body, 0, body.Length, out var kind, _fields);
        if (fields is null)
        {
            return TelemetryParseResult.Malformed($"body is a JSON {JsonFields.Describe(kind)}; expected an object");
        }

        // Before deviceId: a command event has one too, but is never telemetry.
        if (JsonFields.Has(fields, FieldName.CommandEvent))
        {
            return CommandEvents.Parse(record, index, fields, bodyBytes);
        }

        var deviceIdField = JsonFields.Single(fields, FieldName.DeviceId, "body", "deviceId", out var duplicate);
        if (duplicate is not null)
        {
            return TelemetryParseResult.Malformed(duplicate);
        }

        if (deviceIdField is { } field)
        {
            return body.Length > _maxBytes ? TooLarge(body.Length) : ParseTelemetryRecord(record, index, fields, field, bodyBytes);
        }

        if (fields.Any(f => f.Name == FieldName.TopicDeviceId && f.Kind == JsonTokenType.String))
        {
            return TelemetryParseResult.Rejected(IdentityClaim.From(fields, body).Reason());
        }

        if (fields.Any(f => f.Name == FieldName.ClientId))
        {
            return LegacyRecord.Parse(record, index, fields, body, _maxBytes);
        }

        return TelemetryParseResult.Malformed(
            "body has no deviceId (the telemetry rule adds it from the topic devices/{deviceId}/telemetry; a legacy rule's record has clientId instead)");
    }

    private TelemetryParseResult ParseTelemetryRecord(in SqsRecord record, int index, List<JsonField> fields, JsonField deviceIdField, ReadOnlyMemory<byte> bodyBytes)
    {
        var body = bodyBytes.Span;
        var problem = ReadDeviceId(deviceIdField, body, out var deviceId);
        long? receivedAt = null;
        if (problem is null && JsonFields.Single(fields, FieldName.ReceivedAt, "body", "receivedAt", out problem) is { } receivedAtField)
        {
            problem = EventTime.ReadReceivedAt(receivedAtField, body, out receivedAt);
        }

        if (problem is not null)
        {
            return TelemetryParseResult.Malformed(problem);
        }

        var payload = _format == TelemetryFormat.Flat
            ? FlatPayload.Read(fields, body)
            : EnvelopePayload.Read(fields, body, withRuleFields: true, deviceId!, "the topic");
        return payload.ToResult(record, index, deviceId!, bodyBytes, receivedAt);
    }

    private string? ReadDeviceId(JsonField field, ReadOnlySpan<byte> body, out string? deviceId)
    {
        deviceId = DeviceIdOf(field, body);
        if (deviceId is null)
        {
            return $"deviceId must be a string, got a JSON {JsonFields.Describe(field.Kind)}";
        }

        if (!ThingName.IsValid(deviceId))
        {
            var value = deviceId;
            deviceId = null;
            return $"deviceId '{Shorten(value)}' is not a thing name (1 to {ThingName.MaxLength} characters of a-z, A-Z, 0-9, ':', '_', '-')";
        }

        return null;
    }

    /// <summary>The string value of <paramref name="field"/>, the batch's own string when the device was seen before.</summary>
    private string? DeviceIdOf(JsonField field, ReadOnlySpan<byte> body)
    {
        var reader = field.ValueReader(body);
        if (reader.TokenType != JsonTokenType.String)
        {
            return null;
        }

        // Longer or escaped: not a thing name (checked next), so not worth remembering.
        if (reader.ValueIsEscaped || reader.ValueSpan.Length > ThingName.MaxLength)
        {
            return reader.GetString();
        }

        Span<char> chars = stackalloc char[ThingName.MaxLength];
        var id = chars[..Encoding.UTF8.GetChars(reader.ValueSpan, chars)];
        if (_deviceIdsBySpan.TryGetValue(id, out var known))
        {
            return known;
        }

        var text = new string(id);
        _deviceIds.Add(text);
        return text;
    }

    private TelemetryParseResult TooLarge(int byteCount) => TelemetryParseResult.Malformed(
        string.Create(CultureInfo.InvariantCulture, $"body is {byteCount} bytes, over the {_maxBytes}-byte limit (MAX_TELEMETRY_BYTES)"));

    internal static string Shorten(string value) => value.Length <= 64 ? value : string.Concat(value.AsSpan(0, 63), "…");
}
