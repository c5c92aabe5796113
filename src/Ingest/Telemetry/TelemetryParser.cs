using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Queueing.Shared.Devices;
using Queueing.Shared.Events;

namespace Queueing.Ingest.Telemetry;

/// <summary>
/// Turns an SQS record from the telemetry rule into a <see cref="TelemetryReading"/>, or says precisely why it is
/// malformed. The body is the device's JSON object plus <c>deviceId</c> (from the topic) and <c>receivedAt</c>
/// (the rule's receive time, Unix ms). deviceId, receivedAt, timestamp and resource have a meaning of their own;
/// every other top-level field is a measurement. A record without deviceId but with topicDeviceId is the claim
/// rule's (<see cref="IdentityClaim"/>) and is rejected. One forward pass of <see cref="Utf8JsonReader"/>: no
/// reflection, no DOM.
/// </summary>
public sealed class TelemetryParser
{
    // DateTimeOffset.MaxValue in Unix ms: a larger number cannot be an event time.
    private const long MaxUnixMilliseconds = 253_402_300_799_999;

    // ISO 8601 extended date-times; K accepts Z, an offset, or nothing (then UTC is assumed).
    private static readonly string[] IsoFormats =
    [
        "yyyy-MM-dd'T'HH:mm:ssK",
        "yyyy-MM-dd'T'HH:mm:ss.FFFFFFFK",
        "yyyy-MM-dd'T'HH:mmK",
    ];

    private static readonly JsonReaderOptions ReaderOptions = new() { CommentHandling = JsonCommentHandling.Disallow, MaxDepth = 64 };

    private readonly int _maxBytes;

    public TelemetryParser(int maxTelemetryBytes) => _maxBytes = maxTelemetryBytes;

    public TelemetryParseResult Parse(SqsMessage record, int index)
    {
        var text = record.Body;
        if (string.IsNullOrWhiteSpace(text))
        {
            return TelemetryParseResult.Malformed("body is empty; expected a JSON object");
        }

        var byteCount = Encoding.UTF8.GetByteCount(text);
        if (byteCount > _maxBytes)
        {
            return TelemetryParseResult.Malformed(
                string.Create(CultureInfo.InvariantCulture, $"body is {byteCount} bytes, over the {_maxBytes}-byte limit (MAX_TELEMETRY_BYTES)"));
        }

        var body = new byte[byteCount];
        Encoding.UTF8.GetBytes(text, body);
        try
        {
            return Parse(record, index, body);
        }
        catch (JsonException ex)
        {
            return TelemetryParseResult.Malformed("body is not valid JSON: " + ex.Message);
        }
    }

    private static TelemetryParseResult Parse(SqsMessage record, int index, byte[] body)
    {
        var reader = new Utf8JsonReader(body, ReaderOptions);
        reader.Read();
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            return TelemetryParseResult.Malformed($"body is a JSON {Describe(reader.TokenType)}; expected an object");
        }

        string? deviceId = null;
        long? timestamp = null;
        long? receivedAt = null;
        var claim = new IdentityClaim();
        var scratch = ArrayPool<Measurement>.Shared.Rent(16);
        var count = 0;
        try
        {
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var nameStart = (int)reader.TokenStartIndex;
                var nameLength = reader.ValueSpan.Length + 2;
                string? problem = null;
                if (reader.ValueTextEquals("deviceId"u8))
                {
                    problem = deviceId is not null ? "body has deviceId twice" : ReadDeviceId(ref reader, out deviceId);
                }
                else if (reader.ValueTextEquals("timestamp"u8))
                {
                    problem = timestamp is not null ? "body has timestamp twice" : ReadTimestamp(ref reader, out timestamp);
                }
                else if (reader.ValueTextEquals("receivedAt"u8))
                {
                    problem = receivedAt is not null ? "body has receivedAt twice" : ReadReceivedAt(ref reader, out receivedAt);
                }
                else if (reader.ValueTextEquals("resource"u8))
                {
                    // The resource is the topic's device id; a payload must not redirect data to another resource.
                    reader.Read();
                    reader.Skip();
                }
                else
                {
                    var claimField = ClaimFieldOf(ref reader);
                    reader.Read();
                    var valueStart = (int)reader.TokenStartIndex;
                    int valueEnd;
                    if (reader.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray)
                    {
                        reader.Skip();
                        valueEnd = (int)reader.TokenStartIndex + 1;
                    }
                    else
                    {
                        valueEnd = valueStart + reader.ValueSpan.Length + (reader.TokenType == JsonTokenType.String ? 2 : 0);
                    }

                    // Kept aside in case the record has no deviceId; with one they are ordinary measurements.
                    switch (claimField)
                    {
                        case ClaimField.TopicDeviceId when reader.TokenType == JsonTokenType.String:
                            claim.TopicDeviceId = reader.GetString();
                            break;
                        case ClaimField.DeviceId:
                            claim.ClaimedDeviceId = Encoding.UTF8.GetString(body, valueStart, valueEnd - valueStart);
                            break;
                        case ClaimField.ReceivedAt:
                            claim.ClaimedReceivedAt = Encoding.UTF8.GetString(body, valueStart, valueEnd - valueStart);
                            break;
                    }

                    if (count == scratch.Length)
                    {
                        var larger = ArrayPool<Measurement>.Shared.Rent(count * 2);
                        scratch.AsSpan(0, count).CopyTo(larger);
                        ArrayPool<Measurement>.Shared.Return(scratch);
                        scratch = larger;
                    }

                    scratch[count++] = new Measurement(nameStart, nameLength, valueStart, valueEnd - valueStart);
                }

                if (problem is not null)
                {
                    return TelemetryParseResult.Malformed(problem);
                }
            }

            // Anything but whitespace after the object makes the reader throw: the body is not one JSON value.
            while (reader.Read())
            {
            }

            if (deviceId is null)
            {
                return claim.TopicDeviceId is not null
                    ? TelemetryParseResult.Rejected(claim.Reason())
                    : TelemetryParseResult.Malformed("body has no deviceId (the IoT rule adds it from the topic devices/{deviceId}/telemetry)");
            }

            if (count == 0)
            {
                return TelemetryParseResult.Malformed("body has no measurement (a field other than deviceId, receivedAt, timestamp and resource)");
            }

            var time = timestamp ?? receivedAt ?? record.SentTime?.ToUnixTimeMilliseconds();
            if (time is null)
            {
                return TelemetryParseResult.Malformed("body has neither timestamp nor receivedAt, and the record has no SentTimestamp");
            }

            return TelemetryParseResult.Ok(new TelemetryReading(index, record, deviceId, time.Value, body, scratch.AsSpan(0, count).ToArray()));
        }
        finally
        {
            ArrayPool<Measurement>.Shared.Return(scratch);
        }
    }

    private static ClaimField ClaimFieldOf(ref Utf8JsonReader reader) =>
        reader.ValueTextEquals("topicDeviceId"u8) ? ClaimField.TopicDeviceId
        : reader.ValueTextEquals("claimedDeviceId"u8) ? ClaimField.DeviceId
        : reader.ValueTextEquals("claimedReceivedAt"u8) ? ClaimField.ReceivedAt
        : ClaimField.None;

    private static string? ReadDeviceId(ref Utf8JsonReader reader, out string? deviceId)
    {
        reader.Read();
        if (reader.TokenType != JsonTokenType.String)
        {
            deviceId = null;
            var kind = Describe(reader.TokenType);
            reader.Skip();
            return $"deviceId must be a string, got a JSON {kind}";
        }

        var value = reader.GetString()!;
        if (!ThingName.IsValid(value))
        {
            deviceId = null;
            return $"deviceId '{Shorten(value)}' is not a thing name (1 to {ThingName.MaxLength} characters of a-z, A-Z, 0-9, ':', '_', '-')";
        }

        deviceId = value;
        return null;
    }

    private static string? ReadTimestamp(ref Utf8JsonReader reader, out long? timestamp)
    {
        reader.Read();
        timestamp = null;
        if (reader.TokenType == JsonTokenType.Number)
        {
            return ReadEpochMilliseconds(ref reader, "timestamp", out timestamp);
        }

        if (reader.TokenType == JsonTokenType.String)
        {
            var text = reader.GetString()!;
            if (DateTimeOffset.TryParseExact(text, IsoFormats, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var parsed)
                && parsed >= DateTimeOffset.UnixEpoch)
            {
                timestamp = parsed.ToUnixTimeMilliseconds();
                return null;
            }

            return $"timestamp '{Shorten(text)}' is not an ISO 8601 date-time (e.g. 2025-11-28T00:00:00.000Z)";
        }

        var kind = Describe(reader.TokenType);
        reader.Skip();
        return $"timestamp must be Unix epoch milliseconds or an ISO 8601 string, got a JSON {kind}";
    }

    private static string? ReadReceivedAt(ref Utf8JsonReader reader, out long? receivedAt)
    {
        reader.Read();
        receivedAt = null;
        if (reader.TokenType == JsonTokenType.Number)
        {
            return ReadEpochMilliseconds(ref reader, "receivedAt", out receivedAt);
        }

        var kind = Describe(reader.TokenType);
        reader.Skip();
        return $"receivedAt must be Unix epoch milliseconds (the rule's timestamp()), got a JSON {kind}";
    }

    private static string? ReadEpochMilliseconds(ref Utf8JsonReader reader, string field, out long? value)
    {
        if (reader.TryGetInt64(out var ms) && ms is >= 0 and <= MaxUnixMilliseconds)
        {
            value = ms;
            return null;
        }

        value = null;
        return $"{field} {Encoding.UTF8.GetString(reader.ValueSpan)} is not Unix epoch milliseconds (a non-negative integer)";
    }

    private static string Describe(JsonTokenType token) => token switch
    {
        JsonTokenType.StartArray => "array",
        JsonTokenType.StartObject => "object",
        JsonTokenType.String => "string",
        JsonTokenType.Number => "number",
        JsonTokenType.True or JsonTokenType.False => "boolean",
        JsonTokenType.Null => "null",
        _ => token.ToString(),
    };

    internal static string Shorten(string value) => value.Length <= 64 ? value : string.Concat(value.AsSpan(0, 63), "…");

    private enum ClaimField
    {
        None,
        TopicDeviceId,
        DeviceId,
        ReceivedAt,
    }
}
