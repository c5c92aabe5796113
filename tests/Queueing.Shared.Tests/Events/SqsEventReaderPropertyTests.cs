using System.Buffers;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using CsCheck;
using Queueing.Contracts.DeadLetters;
using Queueing.Contracts.Events;
using Queueing.Contracts.Json;
using Queueing.Contracts.Sqs;

namespace Queueing.Shared.Tests.Events;

/// <summary>
/// Random SQS events, written as JSON text with members in any order, unknown members of every JSON type, repeated
/// members, escaped names and nulls: the lean reader must agree with the serialiser's <see cref="SqsEvent"/> on
/// every field it exposes, and parking must carry the same message attributes the model would have.
/// </summary>
public sealed class SqsEventReaderPropertyTests
{
    private static readonly JsonWriterOptions Strict = new();
    private static readonly JsonWriterOptions Relaxed = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    // Pieces of text: escapes JSON must write (quote, backslash, controls), '/', HTML-sensitive characters (escaped by
    // the default encoder), non-ASCII, and a surrogate pair kept whole.
    private static readonly Gen<string> Text =
        Gen.OneOf("a", "Z", "0", "7", "-", ":", "\"", "\\", "/", "\n", "\t", "\u0001", "\u007f", "é", "✓", "日", "🚀", "+", "<", "&", "'", " ")
            .List[0, 12].Select(pieces => string.Concat(pieces));

    private static readonly Gen<string> TelemetryBody =
        Gen.Select(Gen.Int[0, 1023], Text, Gen.Long[0, 9_999_999_999_999], (value, note, time) =>
            $$"""{"lightValue":{{value}},"note":{{Quote(note, Strict)}},"timestamp":{{time}},"deviceId":"lamp-1"}""");

    private static readonly Gen<string> Number =
        Gen.OneOf(
            Gen.Long[0, 253_402_300_799_999].Select(n => n.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            Gen.Int[0, 20].Select(n => n.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            Gen.OneOf("-5", "+5", "007", " 3", "", "99999999999999999999", "2147483648"),
            Text);

    /// <summary>Any JSON value, for unknown members.</summary>
    private static readonly Gen<string> AnyJson =
        Gen.OneOf(
            Gen.OneOf("0", "-1.5e3", "true", "false", "null", "[]", "{}", """[1,"x",{"messageId":"decoy"},[null]]""", """{"Records":[{"body":"decoy"}],"a":{"b":[true]}}"""),
            Text.Select(t => Quote(t, Strict)));

    [Fact]
    public void Read_RandomEvents_AgreesWithTheModelOnEveryExposedField()
    {
        EventJson.Sample(json =>
        {
            var model = JsonSerializer.Deserialize(json, SharedJsonContext.Default.SqsEvent)!;
            using var batch = SqsEventReader.Read(Encoding.UTF8.GetBytes(json));

            Assert.Equal(model.Records.Count, batch.Count);
            for (var i = 0; i < batch.Count; i++)
            {
                var expected = model.Records[i];
                var actual = batch[i];
                Assert.Equal(expected.MessageId, actual.MessageId);
                Assert.Equal(Encoding.UTF8.GetBytes(expected.Body), actual.Body.ToArray());
                Assert.Equal(expected.EventSourceArn, actual.EventSourceArn);
                Assert.Equal(expected.ReceiveCount, actual.ReceiveCount);
                Assert.Equal(expected.SentTime, actual.SentTime);
                Assert.Equal(expected.FirstReceiveTime, actual.FirstReceiveTime);
                Assert.Equal(expected.MessageGroupId, actual.MessageGroupId);
                Assert.Equal(expected.Attributes.GetValueOrDefault(SqsAttributeNames.AwsTraceHeader), actual.TraceHeader);
                AssertSameParkedAttributes(expected.MessageAttributes, actual.MessageAttributesJson.Span);
            }
        }, iter: 3000);
    }

    /// <summary>What parking sends (SDK attributes) from the lean record equals what it sent from the model.</summary>
    private static void AssertSameParkedAttributes(Dictionary<string, SqsMessageAttribute> model, ReadOnlySpan<byte> json)
    {
        var expected = model
            .Where(a => a.Value is not null && !DeadLetterAttributes.ReasonNames.Contains(a.Key))
            .ToDictionary(a => a.Key, a => Describe(SqsMessageAttributes.ToSdk(a.Value)), StringComparer.Ordinal);
        var actual = ParkedMessageAttributes.Read(json).ToDictionary(a => a.Key, a => Describe(a.Value), StringComparer.Ordinal);
        Assert.Equal(expected.OrderBy(a => a.Key, StringComparer.Ordinal), actual.OrderBy(a => a.Key, StringComparer.Ordinal));
    }

    private static string Describe(Amazon.SQS.Model.MessageAttributeValue value) =>
        $"{value.DataType}|{value.StringValue}|{(value.BinaryValue is null ? "-" : Convert.ToBase64String(value.BinaryValue.ToArray()))}";

    private static Gen<string> EventJson =>
        from records in RecordJson.List[0, 6]
        from recordsNull in Gen.Int[0, 15]
        from unknown in Member(Gen.OneOf("records", "x", "Record"), AnyJson).List[0, 2]
        from order in Gen.Int.Array[3]
        let recordsMember = $"\"Records\":{(recordsNull == 0 ? "null" : "[" + string.Join(",", records) + "]")}"
        select "{" + string.Join(",", Shuffle([recordsMember, .. unknown], order)) + "}";

    private static Gen<string> RecordJson =>
        from members in Gen.Select(
            Optional("messageId", StringOrNull(Text)),
            Optional("body", StringOrNull(Gen.OneOf(Text, TelemetryBody))),
            Optional("attributes", Gen.OneOf(Gen.Const("null"), AttributesJson)),
            Optional("messageAttributes", Gen.OneOf(Gen.Const("null"), MessageAttributesJson)),
            Optional("eventSourceARN", StringOrNull(Gen.OneOf("arn:aws:sqs:us-east-1:123456789012:IngestQueue", "arn:aws:sqs:us-east-1:123456789012:Other.fifo"))),
            Optional("receiptHandle", StringOrNull(Text)),
            Optional("md5OfBody", StringOrNull(Text)),
            Optional("awsRegion", StringOrNull(Text)),
            (a, b, c, d, e, f, g, h) => new[] { a, b, c, d, e, f, g, h }.SelectMany(m => m).ToList())
        from unknown in Member(Gen.OneOf("MessageId", "Body", "eventsource_arn", "other"), AnyJson).List[0, 3]
        from repeated in Optional("messageId", StringOrNull(Text))
        from order in Gen.Int.Array[16]
        select "{" + string.Join(",", Shuffle([.. members, .. unknown, .. repeated], order)) + "}";

    private static Gen<string> AttributesJson =>
        from known in Gen.Select(
            Optional(SqsAttributeNames.ApproximateReceiveCount, StringOrNull(Number)),
            Optional(SqsAttributeNames.SentTimestamp, StringOrNull(Number)),
            Optional(SqsAttributeNames.ApproximateFirstReceiveTimestamp, StringOrNull(Number)),
            Optional(SqsAttributeNames.MessageGroupId, StringOrNull(Text)),
            Optional(SqsAttributeNames.AwsTraceHeader, StringOrNull(Text)),
            Optional(SqsAttributeNames.SenderId, StringOrNull(Text)),
            (a, b, c, d, e, f) => new[] { a, b, c, d, e, f }.SelectMany(m => m).ToList())
        from repeated in Optional(SqsAttributeNames.ApproximateReceiveCount, StringOrNull(Number))
        from other in Member(Text, StringOrNull(Text)).List[0, 2]
        from order in Gen.Int.Array[10]
        select "{" + string.Join(",", Shuffle([.. known, .. repeated, .. other], order)) + "}";

    private static Gen<string> MessageAttributesJson =>
        Member(Gen.OneOf(Text, Gen.OneOf(DeadLetterAttributes.Kind, DeadLetterAttributes.RedriveCount, "Queueing.CommandId")),
                Gen.OneOf(Gen.Const("null"), AttributeValueJson))
            .List[0, 4]
            .Select(members => "{" + string.Join(",", members) + "}");

    private static Gen<string> AttributeValueJson =>
        from members in Gen.Select(
            Optional("dataType", StringOrNull(Gen.OneOf("String", "Number", "Binary", "Number.int", "String.list"))),
            Optional("stringValue", StringOrNull(Text)),
            Optional("binaryValue", Gen.OneOf(Gen.Const("null"), Base64)),
            Optional("stringListValues", Gen.OneOf(Gen.Const("null"), StringOrNull(Text).List[0, 2].Select(v => "[" + string.Join(",", v) + "]"))),
            Optional("binaryListValues", Gen.OneOf(Gen.Const("null"), Base64.List[0, 2].Select(v => "[" + string.Join(",", v) + "]"))),
            (a, b, c, d, e) => new[] { a, b, c, d, e }.SelectMany(m => m).ToList())
        from unknown in Member(Gen.OneOf("extra", "StringValue"), AnyJson).List[0, 1]
        from order in Gen.Int.Array[6]
        select "{" + string.Join(",", Shuffle([.. members, .. unknown], order)) + "}";

    private static Gen<string> Base64 => Gen.Byte.Array[0, 8].Select(bytes => "\"" + Convert.ToBase64String(bytes) + "\"");

    /// <summary>A member, absent a quarter of the time; its name now and then written with \u escapes.</summary>
    private static Gen<string[]> Optional(string name, Gen<string> value) =>
        Gen.Select(Gen.Int[0, 3], Gen.Int[0, 4], value, (present, escapedName, json) =>
            present == 0 ? [] : new[] { $"{NameJson(name, escapedName == 0)}:{json}" });

    private static Gen<string> Member(Gen<string> name, Gen<string> value) =>
        Gen.Select(name, value, Gen.Bool, (n, v, relaxed) => $"{Quote(n, relaxed ? Relaxed : Strict)}:{v}");

    private static Gen<string> StringOrNull(Gen<string> text) =>
        Gen.Select(Gen.Int[0, 5], text, Gen.Bool, (isNull, t, relaxed) => isNull == 0 ? "null" : Quote(t, relaxed ? Relaxed : Strict));

    private static string NameJson(string name, bool escaped) =>
        escaped ? "\"" + string.Concat(name.Select(c => $"\\u{(int)c:X4}")) + "\"" : "\"" + name + "\"";

    private static string Quote(string text, JsonWriterOptions options)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer, options))
        {
            writer.WriteStringValue(text);
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    private static IEnumerable<string> Shuffle(List<string> members, int[] keys) =>
        members.Select((member, i) => (member, key: keys[i % keys.Length] + i)).OrderBy(m => m.key).Select(m => m.member);
}
