using System.Buffers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Queueing.AotBench.Events;

/// <summary>One message as Lambda's SQS event source hands it over.</summary>
internal sealed record SqsRecord(
    string Body,
    IReadOnlyList<KeyValuePair<string, string>> Attributes,
    IReadOnlyList<KeyValuePair<string, string>> StringMessageAttributes,
    string? Md5OfMessageAttributes);

/// <summary>
/// Writes SQS events byte for byte in the shape Lambda sends (AWS Lambda Developer Guide, "Using Lambda with Amazon
/// SQS", example events), in its member order: <c>messageId, receiptHandle, body, attributes, messageAttributes,
/// md5OfBody[, md5OfMessageAttributes], eventSource, eventSourceARN, awsRegion</c>; message attributes carry their
/// empty list members. Written here rather than through the project's event model, so the function reads what
/// Lambda would give it and not what our own serialiser thinks that is.
/// </summary>
internal static class SqsEventWriter
{
    // Lambda escapes as JSON requires and no more: \" in bodies, '+' and '/' of base64 as they are. The default
    // encoder would write \u0022 and \u002B, making the event longer and the reader's work different.
    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static byte[] Write(IReadOnlyList<SqsRecord> records, string queueArn, string region)
    {
        var buffer = new ArrayBufferWriter<byte>(records.Count * 700 + 64);
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            writer.WriteStartObject();
            writer.WriteStartArray("Records");
            foreach (var record in records)
            {
                writer.WriteStartObject();
                writer.WriteString("messageId", Guid.NewGuid().ToString());
                writer.WriteString("receiptHandle", ReceiptHandle());
                writer.WriteString("body", record.Body);
                writer.WriteStartObject("attributes");
                foreach (var (name, value) in record.Attributes)
                {
                    writer.WriteString(name, value);
                }

                writer.WriteEndObject();
                writer.WriteStartObject("messageAttributes");
                foreach (var (name, value) in record.StringMessageAttributes)
                {
                    writer.WriteStartObject(name);
                    writer.WriteString("stringValue", value);
                    writer.WriteStartArray("stringListValues");
                    writer.WriteEndArray();
                    writer.WriteStartArray("binaryListValues");
                    writer.WriteEndArray();
                    writer.WriteString("dataType", "String");
                    writer.WriteEndObject();
                }

                writer.WriteEndObject();
                writer.WriteString("md5OfBody", Convert.ToHexStringLower(MD5.HashData(Encoding.UTF8.GetBytes(record.Body))));
                if (record.Md5OfMessageAttributes is { } md5)
                {
                    writer.WriteString("md5OfMessageAttributes", md5);
                }

                writer.WriteString("eventSource", "aws:sqs");
                writer.WriteString("eventSourceARN", queueArn);
                writer.WriteString("awsRegion", region);
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    // Receipt handles are opaque base64 starting "AQEB", often longer than this; 64 characters make the telemetry
    // records about 670 bytes, the size issue 13 measured with (the function never reads the handle).
    private static string ReceiptHandle() => "AQEB" + Convert.ToBase64String(RandomNumberGenerator.GetBytes(45));
}
