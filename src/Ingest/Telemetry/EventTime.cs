using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Queueing.Ingest.Telemetry;

/// <summary>Event times as the payload or the rule give them, always turned into Unix epoch milliseconds.</summary>
internal static class EventTime
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

    /// <summary>A payload's own event time: Unix ms or an ISO 8601 string. <paramref name="label"/> names the field in
    /// the reason (<c>timestamp</c>, <c>data.timestamp</c>).</summary>
    public static string? ReadTimestamp(JsonField field, ReadOnlySpan<byte> body, string label, out long? timestamp)
    {
        var reader = field.ValueReader(body);
        timestamp = null;
        if (reader.TokenType == JsonTokenType.Number)
        {
            return ReadEpochMilliseconds(ref reader, label, out timestamp);
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

            return $"{label} '{TelemetryParser.Shorten(text)}' is not an ISO 8601 date-time (e.g. 2025-11-28T00:00:00.000Z)";
        }

        return $"{label} must be Unix epoch milliseconds or an ISO 8601 string, got a JSON {JsonFields.Describe(reader.TokenType)}";
    }

    /// <summary>The rule's receive time (its <c>timestamp()</c>), Unix ms.</summary>
    public static string? ReadReceivedAt(JsonField field, ReadOnlySpan<byte> body, out long? receivedAt)
    {
        var reader = field.ValueReader(body);
        receivedAt = null;
        return reader.TokenType == JsonTokenType.Number
            ? ReadEpochMilliseconds(ref reader, "receivedAt", out receivedAt)
            : $"receivedAt must be Unix epoch milliseconds (the rule's timestamp()), got a JSON {JsonFields.Describe(reader.TokenType)}";
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
}
