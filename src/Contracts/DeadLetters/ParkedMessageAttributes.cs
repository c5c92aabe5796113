using System.Text.Json;
using Amazon.SQS.Model;

namespace Queueing.Contracts.DeadLetters;

/// <summary>
/// A parked record's own message attributes, from the <c>messageAttributes</c> JSON the event reader kept, in the
/// SDK's shape for SendMessageBatch: string and number values as text, binary values byte for byte. Read the way the
/// event model reads them (a missing <c>dataType</c> is "String", a repeated name or member: the last one wins). The
/// list members are left out: SQS has never accepted them.
/// </summary>
public static class ParkedMessageAttributes
{
    /// <summary>Every attribute of <paramref name="json"/> except the reason attributes parking writes itself.</summary>
    public static Dictionary<string, MessageAttributeValue> Read(ReadOnlySpan<byte> json)
    {
        var attributes = new Dictionary<string, MessageAttributeValue>(StringComparer.Ordinal);
        if (json.IsEmpty)
        {
            return attributes;
        }

        // The event reader checked this JSON already: the shapes are known to be right.
        var reader = new Utf8JsonReader(json);
        reader.Read();
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var name = reader.GetString()!;
            reader.Read();
            if (reader.TokenType == JsonTokenType.Null)
            {
                // A null attribute has nothing to carry; the old model would have failed the whole parking on it.
                attributes.Remove(name);
                continue;
            }

            var value = ReadValue(ref reader);
            // A message parked before (and redriven since) carries the old reason: it is replaced, not kept twice.
            if (DeadLetterAttributes.ReasonNames.Contains(name))
            {
                continue;
            }

            attributes[name] = value;
        }

        return attributes;
    }

    private static MessageAttributeValue ReadValue(ref Utf8JsonReader reader)
    {
        string? dataType = "String";
        string? text = null;
        byte[]? binary = null;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("dataType"u8))
            {
                reader.Read();
                dataType = reader.GetString();
            }
            else if (reader.ValueTextEquals("stringValue"u8))
            {
                reader.Read();
                text = reader.GetString();
            }
            else if (reader.ValueTextEquals("binaryValue"u8))
            {
                reader.Read();
                binary = reader.TokenType == JsonTokenType.Null ? null : reader.GetBytesFromBase64();
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }

        var value = new MessageAttributeValue { DataType = dataType };
        if (binary is not null)
        {
            // A fresh stream per request: the SDK reads it when it marshals the call.
            value.BinaryValue = new MemoryStream(binary, writable: false);
        }
        else
        {
            value.StringValue = text ?? string.Empty;
        }

        return value;
    }
}
