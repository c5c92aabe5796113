using System.Text.Json.Serialization;
using Queueing.Contracts.Events;

namespace Queueing.Redrive.Output;

// The shapes of --json output and of export files. One object per line (JSON lines).

internal sealed record PeekLine(
    [property: JsonPropertyName("messageId")] string MessageId,
    [property: JsonPropertyName("kind")] string Kind,
    [property: JsonPropertyName("error")] string Error,
    [property: JsonPropertyName("device")] string? Device,
    [property: JsonPropertyName("groupId")] string? GroupId,
    [property: JsonPropertyName("sourceQueue")] string? SourceQueue,
    [property: JsonPropertyName("function")] string? Function,
    [property: JsonPropertyName("receiveCount")] int? ReceiveCount,
    [property: JsonPropertyName("firstReceiveTime")] DateTimeOffset? FirstReceiveTime,
    [property: JsonPropertyName("sentTime")] DateTimeOffset? SentTime,
    [property: JsonPropertyName("redriveCount")] int RedriveCount,
    [property: JsonPropertyName("body")] string Body)
{
    /// <summary>What the message carries: telemetry, command, command-ack or command-status.</summary>
    [JsonPropertyName("content")]
    public string? Content { get; init; }
}

internal sealed record ListLine(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("url")] string Url,
    [property: JsonPropertyName("arn")] string Arn,
    [property: JsonPropertyName("fifo")] bool Fifo,
    [property: JsonPropertyName("messages")] long Messages,
    [property: JsonPropertyName("inFlight")] long InFlight,
    [property: JsonPropertyName("delayed")] long Delayed,
    [property: JsonPropertyName("oldestAgeSeconds")] long? OldestAgeSeconds,
    [property: JsonPropertyName("oldestAgeIsLowerBound")] bool OldestAgeIsLowerBound,
    [property: JsonPropertyName("sources")] IReadOnlyList<string> Sources)
{
    /// <summary>The messages the age scan read, by what they carry (telemetry, command, command-ack,
    /// command-status); null when nothing was read (--no-age, an empty queue).</summary>
    [JsonPropertyName("contents")]
    public IReadOnlyDictionary<string, int>? Contents { get; init; }
}

/// <summary>An exported message; the names follow the SQS record Lambda receives (messageId, body, attributes...).</summary>
internal sealed class ExportedMessage
{
    [JsonPropertyName("messageId")] public string MessageId { get; set; } = "";
    [JsonPropertyName("body")] public string? Body { get; set; }
    [JsonPropertyName("md5OfBody")] public string? Md5OfBody { get; set; }
    [JsonPropertyName("eventSourceARN")] public string? EventSourceArn { get; set; }
    [JsonPropertyName("attributes")] public Dictionary<string, string> Attributes { get; set; } = [];
    /// <summary>Lambda's own attribute shape: <c>dataType</c>, <c>stringValue</c> or base64 <c>binaryValue</c>.</summary>
    [JsonPropertyName("messageAttributes")] public Dictionary<string, SqsMessageAttribute> MessageAttributes { get; set; } = [];
}

internal sealed record MessageOutcomeLine(
    [property: JsonPropertyName("messageId")] string MessageId,
    [property: JsonPropertyName("outcome")] string Outcome,
    [property: JsonPropertyName("target")] string? Target,
    [property: JsonPropertyName("newMessageId")] string? NewMessageId,
    [property: JsonPropertyName("error")] string? Error);

internal sealed record RedriveSummaryLine(
    [property: JsonPropertyName("summary")] string Summary,
    [property: JsonPropertyName("dryRun")] bool DryRun,
    [property: JsonPropertyName("examined")] int Examined,
    [property: JsonPropertyName("moved")] int Moved,
    [property: JsonPropertyName("wouldMove")] int WouldMove,
    [property: JsonPropertyName("skippedByFilter")] int SkippedByFilter,
    [property: JsonPropertyName("failed")] int Failed,
    [property: JsonPropertyName("notReached")] long NotReached,
    [property: JsonPropertyName("interrupted")] bool Interrupted);

internal sealed record ExportSummaryLine(
    [property: JsonPropertyName("summary")] string Summary,
    [property: JsonPropertyName("file")] string File,
    [property: JsonPropertyName("examined")] int Examined,
    [property: JsonPropertyName("exported")] int Exported,
    [property: JsonPropertyName("skippedByFilter")] int SkippedByFilter,
    [property: JsonPropertyName("notReached")] long NotReached)
{
    /// <summary>The exported messages by what they carry (telemetry, command, command-ack, command-status).</summary>
    [JsonPropertyName("contents")]
    public IReadOnlyDictionary<string, int>? Contents { get; init; }
}

internal sealed record ImportSummaryLine(
    [property: JsonPropertyName("summary")] string Summary,
    [property: JsonPropertyName("queue")] string Queue,
    [property: JsonPropertyName("sent")] int Sent,
    [property: JsonPropertyName("failed")] int Failed);

internal sealed record MoveTaskLine(
    [property: JsonPropertyName("taskHandle")] string? TaskHandle,
    [property: JsonPropertyName("status")] string? Status,
    [property: JsonPropertyName("sourceArn")] string? SourceArn,
    [property: JsonPropertyName("destinationArn")] string? DestinationArn,
    [property: JsonPropertyName("moved")] long? Moved,
    [property: JsonPropertyName("toMove")] long? ToMove,
    [property: JsonPropertyName("maxPerSecond")] int? MaxPerSecond,
    [property: JsonPropertyName("started")] DateTimeOffset? Started,
    [property: JsonPropertyName("failureReason")] string? FailureReason);

[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(PeekLine))]
[JsonSerializable(typeof(ListLine))]
[JsonSerializable(typeof(ExportedMessage))]
[JsonSerializable(typeof(MessageOutcomeLine))]
[JsonSerializable(typeof(RedriveSummaryLine))]
[JsonSerializable(typeof(ExportSummaryLine))]
[JsonSerializable(typeof(ImportSummaryLine))]
[JsonSerializable(typeof(MoveTaskLine))]
internal sealed partial class DlqJsonContext : JsonSerializerContext;
