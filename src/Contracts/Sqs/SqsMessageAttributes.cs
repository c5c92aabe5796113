using System.Globalization;
using Amazon.SQS.Model;
using Queueing.Contracts.Events;

namespace Queueing.Contracts.Sqs;

/// <summary>
/// Message attributes between the SDK's shape (<see cref="MessageAttributeValue"/>, what SendMessage takes and
/// ReceiveMessage returns) and the Lambda event's (<see cref="SqsMessageAttribute"/>). Binary values are copied
/// byte for byte.
/// </summary>
public static class SqsMessageAttributes
{
    public static MessageAttributeValue Text(string value) => new() { DataType = "String", StringValue = value };

    public static MessageAttributeValue Number(long value) =>
        new() { DataType = "Number", StringValue = value.ToString(CultureInfo.InvariantCulture) };

    public static MessageAttributeValue ToSdk(SqsMessageAttribute value)
    {
        var result = new MessageAttributeValue { DataType = value.DataType };
        if (value.BinaryValue is not null)
        {
            // A fresh stream per request: the SDK reads it when it marshals the call.
            result.BinaryValue = new MemoryStream(value.BinaryValue, writable: false);
        }
        else
        {
            result.StringValue = value.StringValue ?? string.Empty;
        }

        return result;
    }

    public static SqsMessageAttribute FromSdk(MessageAttributeValue value) => new()
    {
        DataType = value.DataType,
        StringValue = value.BinaryValue is null ? value.StringValue : null,
        BinaryValue = value.BinaryValue?.ToArray(),
    };
}
