using System.Globalization;
using System.Text.Json.Serialization;

namespace Queueing.Contracts.Events;

// Wire-compatible with Amazon.Lambda.SQSEvents: the JSON names are what Lambda's SQS event source sends.

public sealed class SqsEvent
{
    // Hand-made events (and "null" in JSON) must not leave a null list behind for the handler to trip over.
    [JsonPropertyName("Records")] public List<SqsMessage> Records { get => _records; set => _records = value ?? []; }
    private List<SqsMessage> _records = [];
}

public sealed class SqsMessage
{
    [JsonPropertyName("messageId")] public string MessageId { get => _messageId; set => _messageId = value ?? ""; }
    [JsonPropertyName("receiptHandle")] public string? ReceiptHandle { get; set; }
    [JsonPropertyName("body")] public string Body { get => _body; set => _body = value ?? ""; }
    [JsonPropertyName("md5OfBody")] public string? Md5OfBody { get; set; }
    [JsonPropertyName("md5OfMessageAttributes")] public string? Md5OfMessageAttributes { get; set; }
    [JsonPropertyName("eventSourceARN")] public string? EventSourceArn { get; set; }
    [JsonPropertyName("eventSource")] public string? EventSource { get; set; }
    [JsonPropertyName("awsRegion")] public string? AwsRegion { get; set; }
    [JsonPropertyName("attributes")] public Dictionary<string, string> Attributes { get => _attributes; set => _attributes = value ?? []; }
    [JsonPropertyName("messageAttributes")] public Dictionary<string, SqsMessageAttribute> MessageAttributes { get => _messageAttributes; set => _messageAttributes = value ?? []; }
    private string _messageId = "";
    private string _body = "";
    private Dictionary<string, string> _attributes = [];
    private Dictionary<string, SqsMessageAttribute> _messageAttributes = [];
}

/// <summary>
/// What a record's <c>attributes</c> say, as extension members: Lambda's record has no such members, so they are not
/// part of the model (nor of its JSON), and the official model could stand in for ours without them.
/// </summary>
public static class SqsMessageAttributeReadings
{
    extension(SqsMessage message)
    {
        /// <summary><c>ApproximateReceiveCount</c>; 1 when absent (first delivery).</summary>
        public int ReceiveCount =>
            message.Attributes.TryGetValue(SqsAttributeNames.ApproximateReceiveCount, out var v) && int.TryParse(v, NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : 1;

        public DateTimeOffset? FirstReceiveTime => message.Timestamp(SqsAttributeNames.ApproximateFirstReceiveTimestamp);

        public DateTimeOffset? SentTime => message.Timestamp(SqsAttributeNames.SentTimestamp);

        public string? MessageGroupId => message.Attributes.GetValueOrDefault(SqsAttributeNames.MessageGroupId);

        public string? MessageDeduplicationId => message.Attributes.GetValueOrDefault(SqsAttributeNames.MessageDeduplicationId);

        public string? SequenceNumber => message.Attributes.GetValueOrDefault(SqsAttributeNames.SequenceNumber);

        private DateTimeOffset? Timestamp(string name) =>
            message.Attributes.TryGetValue(name, out var v) && long.TryParse(v, NumberStyles.None, CultureInfo.InvariantCulture, out var ms) ? DateTimeOffset.FromUnixTimeMilliseconds(ms) : null;
    }
}

public sealed class SqsMessageAttribute
{
    [JsonPropertyName("stringValue")] public string? StringValue { get; set; }
    [JsonPropertyName("binaryValue")] public byte[]? BinaryValue { get; set; }
    [JsonPropertyName("stringListValues")] public List<string>? StringListValues { get; set; }
    [JsonPropertyName("binaryListValues")] public List<byte[]>? BinaryListValues { get; set; }
    [JsonPropertyName("dataType")] public string DataType { get; set; } = "String";
}

public static class SqsAttributeNames
{
    public const string ApproximateReceiveCount = "ApproximateReceiveCount";
    public const string ApproximateFirstReceiveTimestamp = "ApproximateFirstReceiveTimestamp";
    public const string SentTimestamp = "SentTimestamp";
    public const string SenderId = "SenderId";
    public const string MessageGroupId = "MessageGroupId";
    public const string MessageDeduplicationId = "MessageDeduplicationId";
    public const string SequenceNumber = "SequenceNumber";
    public const string AwsTraceHeader = "AWSTraceHeader";
}

/// <summary>The partial-batch response Lambda reads when the mapping has <c>ReportBatchItemFailures</c>.</summary>
public sealed class SqsBatchResponse
{
    [JsonPropertyName("batchItemFailures")] public List<BatchItemFailure> BatchItemFailures { get => _failures; set => _failures = value ?? []; }
    private List<BatchItemFailure> _failures = [];
}

public sealed class BatchItemFailure
{
    [JsonPropertyName("itemIdentifier")] public string ItemIdentifier { get; set; } = "";
}
