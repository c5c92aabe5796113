using System.Buffers;
using System.Text.Json;
using Queueing.Contracts.Commands;
using Queueing.Contracts.Devices;
using Queueing.Contracts.Events;
using Queueing.Ingest.Telemetry;

namespace Queueing.Ingest.Commands;

/// <summary>
/// Turns a record that carries <c>commandEvent</c> into one Waylay event on the device's resource, or says why it
/// cannot be one. Two writers set that field, and only they can (the telemetry rules refuse a payload that sets it):
/// <list type="bullet">
/// <item>CommandAckRule: <c>{"commandEvent": "ack", "deviceId", "receivedAt", "base64OriginalPayload"}</c>, the
/// device id from the topic and the device's acknowledgement in base64, read strictly (<see cref="CommandAck"/>).</item>
/// <item>The command publisher: a <see cref="CommandStatusMessage"/> (published, ackDue, expired, rejected, undelivered).</item>
/// </list>
/// The event is <c>{"resource", "timestamp", "commandId", "commandStatus", "commandPending", "commandLatencyMs"?,
/// "commandDetail"?}</c> (docs/commands.md), timed by its own outcome, so a device's series is in outcome order.
/// </summary>
internal static class CommandEvents
{
    private const string AckRecord = "command acknowledgement record";

    /// <summary>The record's outcome; <paramref name="fields"/> are the body's top-level fields, one of them <c>commandEvent</c>.</summary>
    public static TelemetryParseResult Parse(in SqsRecord record, int index, List<JsonField> fields, ReadOnlyMemory<byte> body)
    {
        var field = JsonFields.Single(fields, FieldName.CommandEvent, "body", CommandStatusMessage.CommandEventField, out var duplicate);
        if (duplicate is not null)
        {
            return TelemetryParseResult.Malformed("command event: " + duplicate);
        }

        var kind = field!.Value.ReadString(body.Span);
        return kind == CommandStatusKinds.Ack ? ParseAck(index, fields, body.Span) : ParseStatus(index, body);
    }

    private static TelemetryParseResult ParseStatus(int index, ReadOnlyMemory<byte> body)
    {
        if (!CommandStatusMessage.TryRead(body, out var status, out var error))
        {
            return TelemetryParseResult.Malformed(error);
        }

        var pending = status.Kind switch
        {
            CommandStatusKind.Published => 1,
            CommandStatusKind.AckDue => 2,
            _ => 0,
        };
        return Event(index, status.DeviceId, status.At, status.CommandId, status.Kind, pending, status.AcceptedAt, status.Detail);
    }

    private static TelemetryParseResult ParseAck(int index, List<JsonField> fields, ReadOnlySpan<byte> body)
    {
        var problems = new List<string>();
        foreach (var field in fields)
        {
            if (field.Name is not (FieldName.CommandEvent or FieldName.DeviceId or FieldName.ReceivedAt or FieldName.Base64OriginalPayload))
            {
                problems.Add($"unexpected field '{TelemetryParser.Shorten(field.RawName(body))}' (the rule writes commandEvent, deviceId, receivedAt and base64OriginalPayload)");
            }
        }

        var deviceId = RuleString(fields, body, FieldName.DeviceId, "deviceId", problems);
        if (deviceId is not null && !ThingName.IsValid(deviceId))
        {
            problems.Add($"deviceId '{TelemetryParser.Shorten(deviceId)}' is not a thing name ({ThingName.Rule})");
        }

        long? receivedAt = null;
        if (JsonFields.Single(fields, FieldName.ReceivedAt, "body", "receivedAt", out var duplicate) is { } receivedAtField)
        {
            if (EventTime.ReadReceivedAt(receivedAtField, body, out receivedAt) is { } problem)
            {
                problems.Add(problem);
            }
        }
        else
        {
            problems.Add(duplicate ?? "receivedAt is missing");
        }

        var encoded = RuleString(fields, body, FieldName.Base64OriginalPayload, "base64OriginalPayload", problems);
        if (problems.Count > 0)
        {
            return TelemetryParseResult.Malformed($"{AckRecord}: {string.Join("; ", problems)}");
        }

        var payload = new byte[encoded!.Length / 4 * 3];
        if (!Convert.TryFromBase64String(encoded, payload, out var length))
        {
            return TelemetryParseResult.Malformed($"{AckRecord}: base64OriginalPayload is not base64");
        }

        if (!CommandAck.TryRead(payload.AsMemory(0, length), out var ack, out var error))
        {
            return TelemetryParseResult.Malformed($"the acknowledgement device '{deviceId}' published is refused: {error}");
        }

        var at = DateTimeOffset.FromUnixTimeMilliseconds(receivedAt!.Value);
        DateTimeOffset? acceptedAt = ack.TryGetAcceptedAt(out var accepted) ? accepted : null;
        return Event(index, deviceId!, at, ack.CommandId, ack.WaylayStatus, 0, acceptedAt, ack.Detail);
    }

    private static string? RuleString(List<JsonField> fields, ReadOnlySpan<byte> body, FieldName name, string label, List<string> problems)
    {
        var field = JsonFields.Single(fields, name, "body", label, out var duplicate);
        if (field is not { } found)
        {
            problems.Add(duplicate ?? $"{label} is missing");
            return null;
        }

        var value = found.ReadString(body);
        if (value is null)
        {
            problems.Add($"{label} must be a string, got a JSON {JsonFields.Describe(found.Kind)}");
        }

        return value;
    }

    /// <summary>
    /// The Waylay event's measurements as a small JSON object of their own, which the reading points into as it points
    /// into a telemetry body; the request body writer copies them as it copies any measurement.
    /// </summary>
    private static TelemetryParseResult Event(int index, string deviceId, DateTimeOffset at, string commandId, CommandStatusKind status, int pending, DateTimeOffset? acceptedAt, string? detail)
    {
        var buffer = new ArrayBufferWriter<byte>(128 + (detail?.Length ?? 0));
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("commandId", commandId);
            writer.WriteString(CommandStatusKinds.WaylayField, status.ToWire());
            writer.WriteNumber("commandPending", pending);
            // Unknown, or later than the outcome (a device's clock or a forged echo): no latency rather than a wrong one.
            if (acceptedAt is { } accepted && accepted <= at)
            {
                writer.WriteNumber("commandLatencyMs", (long)(at - accepted).TotalMilliseconds);
            }

            if (detail is not null)
            {
                writer.WriteString("commandDetail", detail);
            }

            writer.WriteEndObject();
        }

        var bytes = buffer.WrittenSpan.ToArray();
        var fields = JsonFields.Read(bytes, 0, bytes.Length, out _)!;
        var measurements = JsonFields.Measurements(fields, static _ => true);
        return TelemetryParseResult.Ok(new TelemetryReading(index, deviceId, at.ToUnixTimeMilliseconds(), bytes, measurements));
    }
}
