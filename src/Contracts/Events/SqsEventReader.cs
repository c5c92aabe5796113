using System.Buffers;
using System.Globalization;
using System.Text.Json;
using System.Text.Unicode;
using Queueing.Contracts.Json;
using Queueing.Contracts.Runtime;

namespace Queueing.Contracts.Events;

/// <summary>
/// Reads the SQS event Lambda hands a function (the JSON of <see cref="SqsEvent"/>) in one forward pass of
/// <see cref="Utf8JsonReader"/> over the payload bytes, keeping only what the consumers use (<see cref="SqsRecord"/>):
/// no dictionary of attributes, no string for a receipt handle, md5 or region, and the body as UTF-8 bytes (a slice
/// of the payload, or of one per-event buffer when it has escapes to undo).
/// <para>
/// An event is refused (<see cref="InvalidEventException"/>) exactly where deserialising it into
/// <see cref="SqsEvent"/> fails: not JSON, JSON null, not an object, a known member of the wrong JSON type, an
/// invalid base64 binary attribute, or a string the function reads that is not valid text. Names are matched
/// case-sensitively (escapes undone); a repeated member counts the way the serialiser counts it, the last one
/// wins; unknown members of any type are skipped without allocating. Where it differs, on purpose: a null in
/// <c>Records</c> is refused here (the old model let it through to fail later with a NullReferenceException), and a
/// string the function never reads (receipt handle, md5s, region, unused attributes) is type-checked but its UTF-8
/// not validated.
/// </para>
/// </summary>
public static class SqsEventReader
{
    private const string Refused = "The event is not a valid SqsEvent: ";

    // The serialiser's defaults: no comments, no trailing commas, depth 64.
    private static readonly JsonReaderOptions Options = new() { MaxDepth = 64 };

    public static SqsRecordBatch Read(ReadOnlyMemory<byte> payload)
    {
        var builder = new BatchBuilder(payload);
        try
        {
            var reader = new Utf8JsonReader(payload.Span, Options);
            reader.Read();
            if (reader.TokenType == JsonTokenType.Null)
            {
                ReadToEnd(ref reader);
                throw new InvalidEventException("The event is JSON null; expected a SqsEvent.");
            }

            Expect(ref reader, JsonTokenType.StartObject, "$");
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var records = reader.ValueTextEquals("Records"u8);
                reader.Read();
                if (records)
                {
                    // A repeated Records replaces the earlier one, as it replaces the list in the model.
                    builder.Restart();
                    ReadRecords(ref reader, builder);
                }
                else
                {
                    reader.Skip();
                }
            }

            ReadToEnd(ref reader);
            return builder.ToBatch();
        }
        catch (JsonException ex)
        {
            builder.Abandon();
            throw new InvalidEventException(Refused + ex.Message, ex);
        }
        // Utf8JsonReader's answer to text that cannot be a string: an escaped lone surrogate, invalid UTF-8.
        catch (InvalidOperationException ex)
        {
            builder.Abandon();
            throw new InvalidEventException(Refused + ex.Message, ex);
        }
        catch (InvalidEventException)
        {
            builder.Abandon();
            throw;
        }
    }

    private static void ReadRecords(ref Utf8JsonReader reader, BatchBuilder builder)
    {
        if (reader.TokenType == JsonTokenType.Null)
        {
            return;
        }

        Expect(ref reader, JsonTokenType.StartArray, "$.Records");
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            var index = builder.Count;
            if (reader.TokenType != JsonTokenType.StartObject)
            {
                throw Invalid(Path(index, null), reader.TokenType, "a record object");
            }

            builder.Add(ReadRecord(ref reader, builder, index));
        }
    }

    private static SqsRecord ReadRecord(ref Utf8JsonReader reader, BatchBuilder builder, int index)
    {
        var messageId = "";
        ReadOnlyMemory<byte> body = default;
        string? eventSourceArn = null;
        var attributes = Attributes.Absent;
        ReadOnlyMemory<byte> messageAttributes = default;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("messageId"u8))
            {
                reader.Read();
                messageId = ExpectString(ref reader, index, "messageId") ? reader.GetString()! : "";
            }
            else if (reader.ValueTextEquals("body"u8))
            {
                reader.Read();
                body = ExpectString(ref reader, index, "body") ? builder.Body(ref reader, index) : default;
            }
            else if (reader.ValueTextEquals("attributes"u8))
            {
                reader.Read();
                attributes = ReadAttributes(ref reader, builder.Payload, index);
            }
            else if (reader.ValueTextEquals("messageAttributes"u8))
            {
                reader.Read();
                messageAttributes = ReadMessageAttributes(ref reader, builder.Payload, index);
            }
            else if (reader.ValueTextEquals("eventSourceARN"u8))
            {
                reader.Read();
                eventSourceArn = ExpectString(ref reader, index, "eventSourceARN") ? builder.EventSourceArn(ref reader) : null;
            }
            else if (UnreadMember(ref reader) is { } name)
            {
                // Members of the model the function never reads: their type is checked, nothing is kept.
                reader.Read();
                ExpectString(ref reader, index, name);
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }

        return new SqsRecord(
            messageId,
            body,
            eventSourceArn,
            attributes.ReceiveCount,
            attributes.SentTimestamp,
            attributes.FirstReceiveTimestamp,
            attributes.MessageGroupId,
            attributes.TraceHeader,
            messageAttributes);
    }

    private static string? UnreadMember(ref Utf8JsonReader reader) =>
        reader.ValueTextEquals("receiptHandle"u8) ? "receiptHandle"
        : reader.ValueTextEquals("md5OfBody"u8) ? "md5OfBody"
        : reader.ValueTextEquals("md5OfMessageAttributes"u8) ? "md5OfMessageAttributes"
        : reader.ValueTextEquals("eventSource"u8) ? "eventSource"
        : reader.ValueTextEquals("awsRegion"u8) ? "awsRegion"
        : null;

    /// <summary>The values of <c>attributes</c> (a string-to-string map) the consumers use.</summary>
    private struct Attributes
    {
        public static Attributes Absent => new() { ReceiveCount = 1 };

        public int ReceiveCount;
        public long? SentTimestamp;
        public long? FirstReceiveTimestamp;
        public ReadOnlyMemory<byte> MessageGroupId;
        public ReadOnlyMemory<byte> TraceHeader;
    }

    private static Attributes ReadAttributes(ref Utf8JsonReader reader, ReadOnlyMemory<byte> payload, int index)
    {
        // A repeated "attributes" replaces the whole map, so it starts from nothing.
        var attributes = Attributes.Absent;
        if (reader.TokenType == JsonTokenType.Null)
        {
            return attributes;
        }

        Expect(ref reader, JsonTokenType.StartObject, index, "attributes");
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("ApproximateReceiveCount"u8))
            {
                reader.Read();
                attributes.ReceiveCount = ExpectString(ref reader, index, SqsAttributeNames.ApproximateReceiveCount)
                    && ParseDigits(ref reader, index, SqsAttributeNames.ApproximateReceiveCount) is { } count and <= int.MaxValue
                    ? (int)count
                    : 1;
            }
            else if (reader.ValueTextEquals("SentTimestamp"u8))
            {
                reader.Read();
                attributes.SentTimestamp = ExpectString(ref reader, index, SqsAttributeNames.SentTimestamp)
                    ? ParseDigits(ref reader, index, SqsAttributeNames.SentTimestamp)
                    : null;
            }
            else if (reader.ValueTextEquals("ApproximateFirstReceiveTimestamp"u8))
            {
                reader.Read();
                attributes.FirstReceiveTimestamp = ExpectString(ref reader, index, SqsAttributeNames.ApproximateFirstReceiveTimestamp)
                    ? ParseDigits(ref reader, index, SqsAttributeNames.ApproximateFirstReceiveTimestamp)
                    : null;
            }
            else if (reader.ValueTextEquals("MessageGroupId"u8))
            {
                reader.Read();
                attributes.MessageGroupId = StringToken(ref reader, payload, index, SqsAttributeNames.MessageGroupId);
            }
            else if (reader.ValueTextEquals("AWSTraceHeader"u8))
            {
                reader.Read();
                attributes.TraceHeader = StringToken(ref reader, payload, index, SqsAttributeNames.AwsTraceHeader);
            }
            else
            {
                reader.Read();
                ExpectString(ref reader, index, "attributes.*");
            }
        }

        return attributes;
    }

    /// <summary>
    /// Checks <c>messageAttributes</c> against the model (a map of objects with string, base64 and list members) and
    /// returns its JSON text, to be read again only if the record is parked.
    /// </summary>
    private static ReadOnlyMemory<byte> ReadMessageAttributes(ref Utf8JsonReader reader, ReadOnlyMemory<byte> payload, int index)
    {
        if (reader.TokenType == JsonTokenType.Null)
        {
            return default;
        }

        Expect(ref reader, JsonTokenType.StartObject, index, "messageAttributes");
        var start = (int)reader.TokenStartIndex;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            reader.Read();
            if (reader.TokenType == JsonTokenType.Null)
            {
                continue;
            }

            Expect(ref reader, JsonTokenType.StartObject, index, "messageAttributes.*");
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals("stringValue"u8) || reader.ValueTextEquals("dataType"u8))
                {
                    reader.Read();
                    if (ExpectString(ref reader, index, "messageAttributes.*.value"))
                    {
                        ValidateText(ref reader);
                    }
                }
                else if (reader.ValueTextEquals("binaryValue"u8))
                {
                    reader.Read();
                    ExpectBase64(ref reader, index);
                }
                else if (reader.ValueTextEquals("stringListValues"u8) || reader.ValueTextEquals("binaryListValues"u8))
                {
                    var binary = reader.ValueTextEquals("binaryListValues"u8);
                    reader.Read();
                    if (reader.TokenType == JsonTokenType.Null)
                    {
                        continue;
                    }

                    Expect(ref reader, JsonTokenType.StartArray, index, "messageAttributes.*.listValues");
                    while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                    {
                        if (binary)
                        {
                            ExpectBase64(ref reader, index);
                        }
                        else if (ExpectString(ref reader, index, "messageAttributes.*.stringListValues[]"))
                        {
                            ValidateText(ref reader);
                        }
                    }
                }
                else
                {
                    reader.Read();
                    reader.Skip();
                }
            }
        }

        return payload.Slice(start, (int)reader.TokenStartIndex + 1 - start);
    }

    private static void ExpectBase64(ref Utf8JsonReader reader, int index)
    {
        if (reader.TokenType == JsonTokenType.Null)
        {
            return;
        }

        if (reader.TokenType != JsonTokenType.String)
        {
            throw Invalid(Path(index, "messageAttributes.*.binaryValue"), reader.TokenType, "a base64 string or null");
        }

        // Allocates, but only for binary attributes, which telemetry and commands never carry.
        if (!reader.TryGetBytesFromBase64(out _))
        {
            throw new InvalidEventException($"{Refused}{Path(index, "messageAttributes")}: a binary value is not base64.");
        }
    }

    /// <summary>The JSON string token (quotes included) of an attribute read later, or empty for null.</summary>
    private static ReadOnlyMemory<byte> StringToken(ref Utf8JsonReader reader, ReadOnlyMemory<byte> payload, int index, string name)
    {
        if (!ExpectString(ref reader, index, name))
        {
            return default;
        }

        ValidateText(ref reader);
        return payload.Slice((int)reader.TokenStartIndex, reader.ValueSpan.Length + 2);
    }

    /// <summary>
    /// A numeric attribute read as the model's helpers read the string: digits only (no sign, no space), else null.
    /// </summary>
    private static long? ParseDigits(ref Utf8JsonReader reader, int index, string name)
    {
        if (reader.ValueIsEscaped)
        {
            return long.TryParse(reader.GetString(), NumberStyles.None, CultureInfo.InvariantCulture, out var unescaped) ? unescaped : null;
        }

        var text = reader.ValueSpan;
        if (!Utf8.IsValid(text))
        {
            throw new InvalidEventException($"{Refused}{Path(index, "attributes." + name)} is not valid UTF-8.");
        }

        return long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) ? value : null;
    }

    /// <summary>True for a string, false for null; anything else refuses the event.</summary>
    private static bool ExpectString(ref Utf8JsonReader reader, int index, string member) => reader.TokenType switch
    {
        JsonTokenType.String => true,
        JsonTokenType.Null => false,
        var other => throw Invalid(Path(index, member), other, "a string or null"),
    };

    /// <summary>A string that will become text: its UTF-8 valid and its escapes complete, as <c>GetString</c> would require.</summary>
    private static void ValidateText(ref Utf8JsonReader reader)
    {
        if (!reader.ValueIsEscaped)
        {
            if (!Utf8.IsValid(reader.ValueSpan))
            {
                throw new InvalidOperationException("A string of the event is not valid UTF-8.");
            }

            return;
        }

        var length = reader.ValueSpan.Length;
        byte[]? rented = null;
        var buffer = length <= 256 ? stackalloc byte[256] : (rented = ArrayPool<byte>.Shared.Rent(length));
        try
        {
            // Throws InvalidOperationException for an escaped lone surrogate.
            var written = reader.CopyString(buffer);
            if (!Utf8.IsValid(buffer[..written]))
            {
                throw new InvalidOperationException("A string of the event is not valid UTF-8.");
            }
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    private static void Expect(ref Utf8JsonReader reader, JsonTokenType expected, string path)
    {
        if (reader.TokenType != expected)
        {
            throw Invalid(path, reader.TokenType, expected == JsonTokenType.StartObject ? "an object" : "an array");
        }
    }

    private static void Expect(ref Utf8JsonReader reader, JsonTokenType expected, int index, string member)
    {
        if (reader.TokenType != expected)
        {
            throw Invalid(Path(index, member), reader.TokenType, expected == JsonTokenType.StartObject ? "an object" : "an array");
        }
    }

    /// <summary>Anything but whitespace after the event makes the reader throw: the payload is not one JSON value.</summary>
    private static void ReadToEnd(ref Utf8JsonReader reader)
    {
        while (reader.Read())
        {
        }
    }

    private static string Path(int index, string? member) =>
        string.Create(CultureInfo.InvariantCulture, $"$.Records[{index}]{(member is null ? "" : "." + member)}");

    private static InvalidEventException Invalid(string path, JsonTokenType found, string expected) =>
        new($"{Refused}{path} must be {expected}, got a JSON {Describe(found)}.");

    private static string Describe(JsonTokenType token) => JsonTokenKinds.Describe(token);

    /// <summary>The records read so far, in a rented array, and the rented buffer the escaped bodies are undone into.</summary>
    private sealed class BatchBuilder(ReadOnlyMemory<byte> payload)
    {
        private SqsRecord[] _records = SpareEventBuffers.TakeRecords(16);
        private byte[]? _bodies;
        private int _bodiesUsed;
        private int _arnStart = -1;
        private int _arnLength;
        private string? _arn;

        public ReadOnlyMemory<byte> Payload { get; } = payload;

        public int Count { get; private set; }

        public void Restart()
        {
            Array.Clear(_records, 0, Count);
            Count = 0;
        }

        public void Add(SqsRecord record)
        {
            if (Count == _records.Length)
            {
                var larger = new SqsRecord[_records.Length * 2];
                _records.AsSpan(0, Count).CopyTo(larger);
                _records = larger;
            }

            _records[Count++] = record;
        }

        /// <summary>The body string as UTF-8: the payload's own bytes when nothing is escaped, else unescaped into the
        /// buffer (an IoT rule's JSON body is full of <c>\"</c>).</summary>
        public ReadOnlyMemory<byte> Body(ref Utf8JsonReader reader, int index)
        {
            if (!reader.ValueIsEscaped)
            {
                if (!Utf8.IsValid(reader.ValueSpan))
                {
                    throw new InvalidEventException($"{Refused}{Path(index, "body")} is not valid UTF-8.");
                }

                return Payload.Slice((int)reader.TokenStartIndex + 1, reader.ValueSpan.Length);
            }

            // Unescaped text is never longer than its escaped form, so the payload's length holds every body.
            _bodies ??= SpareEventBuffers.TakeBodies(Payload.Length);
            var written = reader.CopyString(_bodies.AsSpan(_bodiesUsed));
            var body = new ReadOnlyMemory<byte>(_bodies, _bodiesUsed, written);
            if (!Utf8.IsValid(body.Span))
            {
                throw new InvalidEventException($"{Refused}{Path(index, "body")} is not valid UTF-8.");
            }

            _bodiesUsed += written;
            return body;
        }

        /// <summary>One string for the queue ARN while consecutive records name the same queue (they all do).</summary>
        public string EventSourceArn(ref Utf8JsonReader reader)
        {
            // Equal raw text is equal text, escapes or not.
            if (_arn is not null && Payload.Span.Slice(_arnStart, _arnLength).SequenceEqual(reader.ValueSpan))
            {
                return _arn;
            }

            _arn = reader.GetString()!;
            _arnStart = (int)reader.TokenStartIndex + 1;
            _arnLength = reader.ValueSpan.Length;
            return _arn;
        }

        public SqsRecordBatch ToBatch()
        {
            var batch = new SqsRecordBatch(_records, Count, _bodies);
            _records = [];
            _bodies = null;
            return batch;
        }

        public void Abandon() => new SqsRecordBatch(_records, Count, _bodies).Dispose();
    }
}
