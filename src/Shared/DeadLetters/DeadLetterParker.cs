using System.Globalization;
using Amazon.Runtime;
using Amazon.SQS;
using Amazon.SQS.Model;
using Microsoft.Extensions.Logging;
using Queueing.Shared.Events;

namespace Queueing.Shared.DeadLetters;

/// <summary>
/// Moves records into the dead-letter queue with their reason, via SendMessageBatch. A record counts as
/// handled only when SQS confirmed its entry; a failed entry stays a batch item failure, so nothing is lost.
/// On a FIFO DLQ the message keeps its group and is deduplicated by its original message id, so a retried
/// parking does not create a second copy.
/// </summary>
public sealed partial class DeadLetterParker
{
    private const int MaxEntriesPerBatch = 10;
    // SendMessageBatch caps the summed size of a batch; 256 KiB is the long-standing limit and stays safe
    // on queues created before the 1 MiB raise.
    private const int MaxBatchBytes = 256 * 1024;

    private readonly IAmazonSQS _sqs;
    private readonly string _deadLetterQueueUrl;
    private readonly string _functionName;
    private readonly ILogger _logger;
    private readonly bool _fifo;

    public DeadLetterParker(IAmazonSQS sqs, string deadLetterQueueUrl, string functionName, ILogger logger)
    {
        _sqs = sqs;
        _deadLetterQueueUrl = deadLetterQueueUrl;
        _functionName = functionName;
        _logger = logger;
        _fifo = deadLetterQueueUrl.EndsWith(".fifo", StringComparison.Ordinal);
    }

    public async Task<ParkResult> ParkAsync(IReadOnlyList<ParkRequest> requests, CancellationToken cancellationToken)
    {
        var parked = new HashSet<string>(StringComparer.Ordinal);
        var failed = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var chunk in Chunk(requests))
        {
            await SendChunkAsync(chunk, parked, failed, cancellationToken);
        }

        return new ParkResult(parked, failed);
    }

    private async Task SendChunkAsync(List<ParkRequest> chunk, HashSet<string> parked, Dictionary<string, string> failed, CancellationToken cancellationToken)
    {
        var entries = new List<SendMessageBatchRequestEntry>(chunk.Count);
        for (var i = 0; i < chunk.Count; i++)
        {
            entries.Add(ToEntry(i, chunk[i]));
        }

        SendMessageBatchResponse response;
        try
        {
            response = await _sqs.SendMessageBatchAsync(new SendMessageBatchRequest { QueueUrl = _deadLetterQueueUrl, Entries = entries }, cancellationToken);
        }
        // Boundary: whatever stopped the call (network, throttling, deadline, the SDK unable to sign), these records
        // are not parked. AmazonServiceException covers AmazonSQSException and non-SQS service errors (STS).
        catch (Exception ex) when (ex is AmazonServiceException or AmazonClientException or HttpRequestException or OperationCanceledException or IOException)
        {
            foreach (var request in chunk)
            {
                failed[request.Record.MessageId] = ex.Message;
            }

            LogParkingFailed(chunk.Count, ex.Message);
            return;
        }

        foreach (var ok in response.Successful ?? [])
        {
            var request = chunk[int.Parse(ok.Id.AsSpan(1), CultureInfo.InvariantCulture)];
            parked.Add(request.Record.MessageId);
            LogParked(request.Record.MessageId, request.Kind.ToWire(), request.Error);
        }

        foreach (var error in response.Failed ?? [])
        {
            var request = chunk[int.Parse(error.Id.AsSpan(1), CultureInfo.InvariantCulture)];
            failed[request.Record.MessageId] = $"{error.Code}: {error.Message}";
            LogParkingFailed(1, $"{error.Code}: {error.Message}");
        }
    }

    private SendMessageBatchRequestEntry ToEntry(int index, ParkRequest request)
    {
        var record = request.Record;
        var attributes = new Dictionary<string, MessageAttributeValue>(StringComparer.Ordinal);
        foreach (var (name, value) in record.MessageAttributes)
        {
            if (!DeadLetterAttributes.ReasonNames.Contains(name))
            {
                attributes[name] = ToSdk(value);
            }
        }

        attributes[DeadLetterAttributes.Kind] = Text(request.Kind.ToWire());
        attributes[DeadLetterAttributes.Error] = Text(Truncate(string.IsNullOrWhiteSpace(request.Error) ? "(no error text)" : request.Error));
        attributes[DeadLetterAttributes.SourceQueue] = Text(string.IsNullOrEmpty(record.EventSourceArn) ? "unknown" : record.EventSourceArn);
        attributes[DeadLetterAttributes.ReceiveCount] = new MessageAttributeValue
        {
            DataType = "Number",
            StringValue = record.ReceiveCount.ToString(CultureInfo.InvariantCulture),
        };
        attributes[DeadLetterAttributes.FirstReceiveTime] = Text((record.FirstReceiveTime ?? record.SentTime ?? DateTimeOffset.UnixEpoch)
            .UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture));
        attributes[DeadLetterAttributes.Function] = Text(_functionName);

        var entry = new SendMessageBatchRequestEntry
        {
            Id = "e" + index.ToString(CultureInfo.InvariantCulture),
            MessageBody = record.Body,
            MessageAttributes = attributes,
        };
        if (_fifo)
        {
            entry.MessageGroupId = record.MessageGroupId ?? "parked";
            entry.MessageDeduplicationId = record.MessageId;
        }

        return entry;
    }

    internal static MessageAttributeValue ToSdk(SqsMessageAttribute value)
    {
        var result = new MessageAttributeValue { DataType = value.DataType };
        if (value.BinaryValue is not null)
        {
            result.BinaryValue = new MemoryStream(value.BinaryValue, writable: false);
        }
        else
        {
            result.StringValue = value.StringValue ?? string.Empty;
        }

        return result;
    }

    private static MessageAttributeValue Text(string value) => new() { DataType = "String", StringValue = value };

    private static string Truncate(string error) =>
        error.Length <= DeadLetterAttributes.MaxErrorLength ? error : string.Concat(error.AsSpan(0, DeadLetterAttributes.MaxErrorLength - 1), "…");

    private static IEnumerable<List<ParkRequest>> Chunk(IReadOnlyList<ParkRequest> requests)
    {
        var chunk = new List<ParkRequest>(MaxEntriesPerBatch);
        var bytes = 0;
        foreach (var request in requests)
        {
            // Body plus a generous allowance for the reason attributes.
            var size = System.Text.Encoding.UTF8.GetByteCount(request.Record.Body) + 2048;
            if (chunk.Count > 0 && (chunk.Count == MaxEntriesPerBatch || bytes + size > MaxBatchBytes))
            {
                yield return chunk;
                chunk = new List<ParkRequest>(MaxEntriesPerBatch);
                bytes = 0;
            }

            chunk.Add(request);
            bytes += size;
        }

        if (chunk.Count > 0)
        {
            yield return chunk;
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Parked {MessageId} as {Kind}: {Reason}")]
    private partial void LogParked(string messageId, string kind, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "Could not park {Count} message(s); they stay batch item failures: {Error}")]
    private partial void LogParkingFailed(int count, string error);
}
