using Amazon.SQS.Model;
using Queueing.Contracts.DeadLetters;
using Queueing.Contracts.Sqs;

namespace Queueing.Redrive.Sending;

/// <summary>Copies message attributes value for value (binary ones byte for byte) for a re-send.</summary>
internal static class MessageAttributesCopy
{
    public static Dictionary<string, MessageAttributeValue> Of(Dictionary<string, MessageAttributeValue>? attributes)
    {
        var copy = new Dictionary<string, MessageAttributeValue>(StringComparer.Ordinal);
        foreach (var (name, value) in attributes ?? [])
        {
            copy[name] = Clone(value);
        }

        return copy;
    }

    /// <summary>The copy with Queueing.RedriveCount set one higher than on the original (absent = 0).</summary>
    public static Dictionary<string, MessageAttributeValue> ForRedrive(Dictionary<string, MessageAttributeValue>? attributes, int previousRedriveCount)
    {
        var copy = Of(attributes);
        copy[DeadLetterAttributes.RedriveCount] = SqsMessageAttributes.Number(previousRedriveCount + 1);
        return copy;
    }

    public static MessageAttributeValue Clone(MessageAttributeValue value)
    {
        var clone = new MessageAttributeValue { DataType = value.DataType };
        if (value.BinaryValue is { } binary)
        {
            // A fresh stream over a copy: the SDK reads the stream when it marshals the request.
            clone.BinaryValue = new MemoryStream(binary.ToArray(), writable: false);
        }
        else
        {
            clone.StringValue = value.StringValue;
        }

        return clone;
    }
}
