using System.Text;
using System.Text.Json;
using Queueing.Contracts.Commands;
using Queueing.Contracts.Json;

namespace Queueing.Ingest.Telemetry;

/// <summary>The names that mean something to the rules or a format; any other name is <see cref="Other"/>.</summary>
internal enum FieldName
{
    Other,
    // Set by the telemetry rules.
    DeviceId,
    ReceivedAt,
    // The claim rule's record.
    TopicDeviceId,
    ClaimedDeviceId,
    ClaimedReceivedAt,
    // The legacy rule's record.
    ClientId,
    Topic,
    Base64OriginalPayload,
    // The payload formats.
    Timestamp,
    Resource,
    EnvelopeDeviceId,
    Data,
    // Command events (CommandAckRule's records, the command publisher's status messages), and their claim.
    CommandEvent,
    ClaimedCommandEvent,
}

/// <summary>One property of a JSON object: its raw name (quotes included) and raw value, as offsets into the body.</summary>
internal readonly record struct JsonField(FieldName Name, int NameStart, int NameLength, int ValueStart, int ValueLength, JsonTokenType Kind)
{
    public Measurement AsMeasurement() => new(NameStart, NameLength, ValueStart, ValueLength);

    /// <summary>The name as written (escapes left as they are), for reasons.</summary>
    public string RawName(ReadOnlySpan<byte> body) => Encoding.UTF8.GetString(body.Slice(NameStart + 1, NameLength - 2));

    /// <summary>The value's JSON text, for reasons (a claim need not be a string).</summary>
    public string RawValue(ReadOnlySpan<byte> body) => Encoding.UTF8.GetString(body.Slice(ValueStart, ValueLength));

    public string? ReadString(ReadOnlySpan<byte> body)
    {
        var reader = ValueReader(body);
        return reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
    }

    /// <summary>A reader positioned on the value's first token.</summary>
    public Utf8JsonReader ValueReader(ReadOnlySpan<byte> body)
    {
        var reader = new Utf8JsonReader(body.Slice(ValueStart, ValueLength), JsonFields.ReaderOptions);
        reader.Read();
        return reader;
    }
}

/// <summary>
/// The properties of one JSON object, read in one forward pass of <see cref="Utf8JsonReader"/> (no reflection, no
/// DOM); values are skipped, not parsed, and kept as byte ranges so a measurement is copied verbatim later.
/// </summary>
internal static class JsonFields
{
    public static readonly JsonReaderOptions ReaderOptions = new() { CommentHandling = JsonCommentHandling.Disallow, MaxDepth = 64 };

    /// <summary>
    /// The properties of the object at <paramref name="start"/>, or null when the value there is not an object
    /// (<paramref name="kind"/> says what it is). Throws <see cref="JsonException"/> when the bytes are not one JSON
    /// value. The fields go into <paramref name="into"/> when given (cleared first: a caller reuses one list per
    /// batch), else into a new list.
    /// </summary>
    public static List<JsonField>? Read(ReadOnlySpan<byte> body, int start, int length, out JsonTokenType kind, List<JsonField>? into = null)
    {
        var reader = new Utf8JsonReader(body.Slice(start, length), ReaderOptions);
        reader.Read();
        kind = reader.TokenType;
        if (kind != JsonTokenType.StartObject)
        {
            return null;
        }

        var fields = into ?? new List<JsonField>(16);
        fields.Clear();
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var name = NameOf(ref reader);
            var nameStart = start + (int)reader.TokenStartIndex;
            var nameLength = reader.ValueSpan.Length + 2;
            reader.Read();
            var valueKind = reader.TokenType;
            var valueStart = (int)reader.TokenStartIndex;
            int valueEnd;
            if (valueKind is JsonTokenType.StartObject or JsonTokenType.StartArray)
            {
                reader.Skip();
                valueEnd = (int)reader.TokenStartIndex + 1;
            }
            else
            {
                valueEnd = valueStart + reader.ValueSpan.Length + (valueKind == JsonTokenType.String ? 2 : 0);
            }

            fields.Add(new JsonField(name, nameStart, nameLength, start + valueStart, valueEnd - valueStart, valueKind));
        }

        // Anything but whitespace after the object makes the reader throw: the bytes are not one JSON value.
        while (reader.Read())
        {
        }

        return fields;
    }

    /// <summary>The fields <paramref name="isMeasurement"/> keeps, as measurements (one array, no iterators).</summary>
    public static Measurement[] Measurements(List<JsonField> fields, Func<FieldName, bool> isMeasurement)
    {
        var count = 0;
        foreach (var field in fields)
        {
            count += isMeasurement(field.Name) ? 1 : 0;
        }

        if (count == 0)
        {
            return [];
        }

        var measurements = new Measurement[count];
        var next = 0;
        foreach (var field in fields)
        {
            if (isMeasurement(field.Name))
            {
                measurements[next++] = field.AsMeasurement();
            }
        }

        return measurements;
    }

    /// <summary>The only field of that name in <paramref name="owner"/> ("body", "data"), or why there is more than one.</summary>
    public static JsonField? Single(List<JsonField> fields, FieldName name, string owner, string label, out string? problem)
    {
        JsonField? found = null;
        problem = null;
        foreach (var field in fields)
        {
            if (field.Name != name)
            {
                continue;
            }

            if (found is not null)
            {
                problem = $"{owner} has {label} twice";
                return null;
            }

            found = field;
        }

        return found;
    }

    public static string Describe(JsonTokenType token) => JsonTokenKinds.Describe(token);

    /// <summary>Whether any field has that name (one pass, no delegate).</summary>
    public static bool Has(List<JsonField> fields, FieldName name)
    {
        foreach (var field in fields)
        {
            if (field.Name == name)
            {
                return true;
            }
        }

        return false;
    }

    // Names are compared unescaped, case-sensitively: "DeviceId" is an ordinary field.
    private static FieldName NameOf(ref Utf8JsonReader reader) =>
        reader.ValueTextEquals("deviceId"u8) ? FieldName.DeviceId
        : reader.ValueTextEquals("receivedAt"u8) ? FieldName.ReceivedAt
        : reader.ValueTextEquals("timestamp"u8) ? FieldName.Timestamp
        : reader.ValueTextEquals("resource"u8) ? FieldName.Resource
        : reader.ValueTextEquals("deviceID"u8) ? FieldName.EnvelopeDeviceId
        : reader.ValueTextEquals("data"u8) ? FieldName.Data
        : reader.ValueTextEquals("topicDeviceId"u8) ? FieldName.TopicDeviceId
        : reader.ValueTextEquals("claimedDeviceId"u8) ? FieldName.ClaimedDeviceId
        : reader.ValueTextEquals("claimedReceivedAt"u8) ? FieldName.ClaimedReceivedAt
        : reader.ValueTextEquals("clientId"u8) ? FieldName.ClientId
        : reader.ValueTextEquals("topic"u8) ? FieldName.Topic
        : reader.ValueTextEquals("base64OriginalPayload"u8) ? FieldName.Base64OriginalPayload
        : reader.ValueTextEquals(CommandStatusMessage.CommandEventFieldUtf8) ? FieldName.CommandEvent
        : reader.ValueTextEquals("claimedCommandEvent"u8) ? FieldName.ClaimedCommandEvent
        : FieldName.Other;
}
