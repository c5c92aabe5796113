using System.Globalization;
using System.Net;
using Amazon.SQS;
using Amazon.SQS.Model;
using Microsoft.Extensions.Logging;
using Queueing.Contracts.DeadLetters;
using Queueing.Contracts.Events;
using Queueing.Contracts.Sqs;
using Queueing.Contracts.Time;
using static Queueing.Contracts.Sqs.SqsMessageAttributes;

namespace Queueing.Shared.DeadLetters;

/// <summary>
/// Moves records into the dead-letter queue with their reason, via SendMessageBatch. A record counts as
/// handled only when SQS confirmed its entry; a failed entry stays a batch item failure, so nothing is lost.
/// On a FIFO DLQ the message keeps its group and is deduplicated by its original message id, so a retried
/// parking does not create a second copy.
/// </summary>
public sealed partial class DeadLetterParker(IAmazonSQS sqs, string deadLetterQueueUrl, string functionName, ILogger logger) : IRecordParker
{
    // Room for the reason attributes in the size estimate: names, types and values (the error text is at most
    // MaxErrorLength UTF-16 units, so at most three UTF-8 bytes each).
    private const int ReasonBytes = 3 * DeadLetterAttributes.MaxErrorLength + 1024;

    private readonly IAmazonSQS _sqs = sqs;
    private readonly string _deadLetterQueueUrl = deadLetterQueueUrl;
    private readonly string _functionName = functionName;
    private readonly ILogger _logger = logger;
    private readonly bool _fifo = deadLetterQueueUrl.EndsWith(".fifo", StringComparison.Ordinal);

    // A command's id, as the command API sets it on the message (Actuate's CommandAttributes.CommandId): the parked
    // line carries it, so "follow one command" finds where the command ended.
    private const string CommandIdAttribute = "Queueing.CommandId";

    public async Task<ParkResult> ParkAsync(IReadOnlyList<ParkRequest> requests, CancellationToken cancellationToken)
    {
        var parked = new HashSet<string>(StringComparer.Ordinal);
        var failed = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var chunk in SqsBatches.Chunk(requests, EstimatedBytes))
        {
            await SendChunkAsync(chunk, parked, failed, cancellationToken);
        }

        return new ParkResult(parked, failed);
    }

    private async Task SendChunkAsync(List<ParkRequest> chunk, HashSet<string> parked, Dictionary<string, string> failed, CancellationToken cancellationToken)
    {
        var entries = new List<SendMessageBatchRequestEntry>(chunk.Count);
        // The command ids (null where a record is no command), for the lines that say what was parked.
        var commandIds = new string?[chunk.Count];
        for (var i = 0; i < chunk.Count; i++)
        {
            entries.Add(ToEntry(i, chunk[i], out commandIds[i]));
        }

        SendMessageBatchResponse response;
        try
        {
            response = await _sqs.SendMessageBatchAsync(new SendMessageBatchRequest { QueueUrl = _deadLetterQueueUrl, Entries = entries }, cancellationToken);
        }
        // One bad entry can make SQS refuse the whole request (a body over the queue's limit, invalid characters,
        // a batch larger than estimated). Sent alone, the good entries are parked and only the bad one fails.
        catch (AmazonSQSException ex) when (chunk.Count > 1 && IsRefusedForContent(ex))
        {
            LogBatchRefused(chunk.Count, ex.ErrorCode, ex.Message);
            foreach (var single in chunk)
            {
                await SendChunkAsync([single], parked, failed, cancellationToken);
            }

            return;
        }
        // Boundary: whatever stopped the call (network, throttling, credentials, deadline, or the SDK refusing its own
        // configuration), these records are not parked; they stay batch item failures and SQS delivers them again.
        // Every exception: one escaping would fail the invocation, and Lambda would retry the whole batch, records
        // already delivered and commands already published included.
        catch (Exception ex)
        {
            foreach (var request in chunk)
            {
                failed[request.Record.MessageId] = ex.Message;
            }

            LogParkingFailed(chunk.Count, ex.Message);
            return;
        }

        var reported = new bool[chunk.Count];
        foreach (var ok in response.Successful ?? [])
        {
            if (TryIndex(ok.Id, chunk.Count, out var index))
            {
                reported[index] = true;
                var request = chunk[index];
                parked.Add(request.Record.MessageId);
                var device = RecordDevice.Of(request.Record.Body.Span, request.Record.MessageGroupId);
                if (commandIds[index] is { } commandId)
                {
                    LogParkedCommand(request.Record.MessageId, device, commandId, request.Kind.ToWire(), request.Error);
                }
                else
                {
                    LogParked(request.Record.MessageId, device, request.Kind.ToWire(), request.Error);
                }
            }
        }

        foreach (var error in response.Failed ?? [])
        {
            if (TryIndex(error.Id, chunk.Count, out var index))
            {
                reported[index] = true;
                var request = chunk[index];
                failed[request.Record.MessageId] = $"{error.Code}: {error.Message}";
                LogEntryNotParked(request.Record.MessageId, RecordDevice.Of(request.Record.Body.Span, request.Record.MessageGroupId), $"{error.Code}: {error.Message}");
            }
        }

        // Assume failure until SQS says otherwise: an entry missing from both lists is not known to be parked.
        for (var i = 0; i < chunk.Count; i++)
        {
            if (!reported[i])
            {
                failed[chunk[i].Record.MessageId] = "SQS did not report this entry as sent.";
            }
        }
    }

    // A 400 about the request's content; not one about the queue or the caller, which sending the entries one by
    // one would only repeat ten times.
    private static bool IsRefusedForContent(AmazonSQSException ex)
    {
        var code = ex.ErrorCode ?? string.Empty;
        return ex.StatusCode == HttpStatusCode.BadRequest
            && ex is not QueueDoesNotExistException
            && !code.Contains("Throttl", StringComparison.OrdinalIgnoreCase)
            && !code.Contains("NonExistentQueue", StringComparison.OrdinalIgnoreCase)
            && !code.Contains("QueueDoesNotExist", StringComparison.OrdinalIgnoreCase)
            && !code.Contains("AccessDenied", StringComparison.OrdinalIgnoreCase)
            && !code.StartsWith("Kms", StringComparison.OrdinalIgnoreCase);
    }

    private static bool TryIndex(string? id, int count, out int index)
    {
        index = -1;
        return id is { Length: > 1 } && id[0] == 'e'
            && int.TryParse(id.AsSpan(1), NumberStyles.None, CultureInfo.InvariantCulture, out index)
            && index < count;
    }

    private SendMessageBatchRequestEntry ToEntry(int index, ParkRequest request, out string? commandId)
    {
        var record = request.Record;
        var attributes = ParkedMessageAttributes.Read(record.MessageAttributesJson.Span);
        commandId = attributes.TryGetValue(CommandIdAttribute, out var command) ? command.StringValue : null;
        attributes[DeadLetterAttributes.Kind] = Text(request.Kind.ToWire());
        attributes[DeadLetterAttributes.Error] = Text(SqsText.Cut(SqsText.Clean(string.IsNullOrWhiteSpace(request.Error) ? "(no error text)" : request.Error), DeadLetterAttributes.MaxErrorLength));
        attributes[DeadLetterAttributes.SourceQueue] = Text(string.IsNullOrEmpty(record.EventSourceArn) ? "unknown" : SqsText.Clean(record.EventSourceArn));
        attributes[DeadLetterAttributes.ReceiveCount] = Number(record.ReceiveCount);
        attributes[DeadLetterAttributes.FirstReceiveTime] = Text(IsoTime.Format(record.FirstReceiveTime ?? record.SentTime ?? DateTimeOffset.UnixEpoch));
        attributes[DeadLetterAttributes.Function] = Text(SqsText.Clean(_functionName));

        var entry = new SendMessageBatchRequestEntry
        {
            Id = "e" + index.ToString(CultureInfo.InvariantCulture),
            MessageBody = record.BodyText(),
            MessageAttributes = attributes,
        };
        // The message keeps the trace it came with: AWSTraceHeader is the one system attribute SQS takes on a send.
        if (record.TraceHeader is { Length: > 0 } trace)
        {
            entry.MessageSystemAttributes = new Dictionary<string, MessageSystemAttributeValue>(StringComparer.Ordinal)
            {
                [SqsAttributeNames.AwsTraceHeader] = new() { DataType = "String", StringValue = trace },
            };
        }

        if (_fifo)
        {
            entry.MessageGroupId = record.MessageGroupId ?? "parked";
            entry.MessageDeduplicationId = record.MessageId;
        }

        return entry;
    }

    // The attributes' JSON text is longer than what SendMessageBatch carries of them (names, types, values; base64
    // is a third longer than the bytes), so the estimate errs on the safe side.
    private static int EstimatedBytes(ParkRequest request) =>
        request.Record.Body.Length + request.Record.MessageAttributesJson.Length + ReasonBytes;

    [LoggerMessage(Level = LogLevel.Warning, Message = "Parked {MessageId} of device {DeviceId} as {Kind}: {Reason}")]
    private partial void LogParked(string messageId, string deviceId, string kind, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Parked {MessageId} of device {DeviceId}, command {CommandId}, as {Kind}: {Reason}")]
    private partial void LogParkedCommand(string messageId, string deviceId, string commandId, string kind, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "Could not park {MessageId} of device {DeviceId}; it stays a batch item failure: {Error}")]
    private partial void LogEntryNotParked(string messageId, string deviceId, string error);

    [LoggerMessage(Level = LogLevel.Error, Message = "Could not park {Count} message(s); they stay batch item failures: {Error}")]
    private partial void LogParkingFailed(int count, string error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "SQS refused a batch of {Count} parkings ({ErrorCode}: {Error}); sending them one by one")]
    private partial void LogBatchRefused(int count, string errorCode, string error);
}
