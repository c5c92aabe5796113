using System.Globalization;
using System.Text;
using Amazon.Runtime;
using Amazon.SQS;
using Amazon.SQS.Model;
using Queueing.Contracts.Events;
using Queueing.Contracts.Sqs;

namespace Queueing.Redrive.Sending;

/// <summary>
/// Sends messages with SendMessageBatch, in the given order, paced by a <see cref="SendRate"/>. A message counts
/// as sent only when SQS confirmed its entry. On a FIFO queue a group whose message failed sends nothing more in
/// this call, so the group's order is never changed by a gap.
/// </summary>
internal sealed class BatchSender(IAmazonSQS sqs, SendRate rate)
{
    public async Task<IReadOnlyList<SendOutcome>> SendAsync(SqsQueue target, IReadOnlyList<OutgoingMessage> messages, CancellationToken cancellationToken)
    {
        var outcomes = new List<SendOutcome>(messages.Count);
        var brokenGroups = new HashSet<string>(StringComparer.Ordinal);
        var interrupted = false;
        foreach (var chunk in SqsBatches.Chunk(messages, Size, rate.BatchSize))
        {
            if (interrupted || cancellationToken.IsCancellationRequested)
            {
                // Ctrl+C: what was sent is reported as sent (so the caller deletes it from the DLQ); the rest stays.
                interrupted = true;
                outcomes.AddRange(chunk.Select(m => new SendOutcome(m.Key, null, "not sent: interrupted")));
                continue;
            }

            var sendable = new List<OutgoingMessage>(chunk.Count);
            foreach (var message in chunk)
            {
                if (target.IsFifo && message.GroupId is { } group && brokenGroups.Contains(group))
                {
                    outcomes.Add(new SendOutcome(message.Key, null, $"not sent: an earlier message of group '{group}' failed, and FIFO order must hold"));
                }
                else
                {
                    sendable.Add(message);
                }
            }

            if (sendable.Count == 0)
            {
                continue;
            }

            try
            {
                await rate.WaitAsync(sendable.Count, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                interrupted = true;
                outcomes.AddRange(sendable.Select(m => new SendOutcome(m.Key, null, "not sent: interrupted")));
                continue;
            }

            foreach (var outcome in await SendBatchAsync(target, sendable, cancellationToken))
            {
                outcomes.Add(outcome);
                if (!outcome.Sent && target.IsFifo && sendable.First(m => m.Key == outcome.Key).GroupId is { } failedGroup)
                {
                    brokenGroups.Add(failedGroup);
                }
            }
        }

        return outcomes;
    }

    private async Task<IReadOnlyList<SendOutcome>> SendBatchAsync(SqsQueue target, List<OutgoingMessage> batch, CancellationToken cancellationToken)
    {
        var entries = new List<SendMessageBatchRequestEntry>(batch.Count);
        for (var i = 0; i < batch.Count; i++)
        {
            var message = batch[i];
            var entry = new SendMessageBatchRequestEntry
            {
                Id = "m" + i.ToString(CultureInfo.InvariantCulture),
                MessageBody = message.Body,
                MessageAttributes = message.Attributes,
            };
            if (!string.IsNullOrEmpty(message.TraceHeader))
            {
                // The one system attribute SQS takes on a send: the message keeps its trace.
                entry.MessageSystemAttributes = new Dictionary<string, MessageSystemAttributeValue>(StringComparer.Ordinal)
                {
                    [SqsAttributeNames.AwsTraceHeader] = new() { DataType = "String", StringValue = message.TraceHeader },
                };
            }

            if (target.IsFifo)
            {
                entry.MessageGroupId = message.GroupId;
                entry.MessageDeduplicationId = message.DeduplicationId;
            }

            entries.Add(entry);
        }

        SendMessageBatchResponse response;
        try
        {
            response = await sqs.SendMessageBatchAsync(new SendMessageBatchRequest { QueueUrl = target.Url, Entries = entries }, cancellationToken);
        }
        // Boundary: whatever stopped the call, none of these counts as sent (a retry may duplicate; nothing is lost).
        catch (Exception ex) when (AwsErrors.IsCallFailure(ex) || ex is OperationCanceledException)
        {
            var reason = ex is AmazonServiceException service ? $"{service.ErrorCode}: {service.Message}" : ex.Message;
            return [.. batch.Select(m => new SendOutcome(m.Key, null, reason))];
        }

        var outcomes = new List<SendOutcome>(batch.Count);
        foreach (var ok in response.Successful ?? [])
        {
            outcomes.Add(new SendOutcome(batch[Index(ok.Id)].Key, ok.MessageId, null));
        }

        foreach (var failed in response.Failed ?? [])
        {
            outcomes.Add(new SendOutcome(batch[Index(failed.Id)].Key, null, $"{failed.Code}: {failed.Message}"));
        }

        // Keep the caller's order in the outcome list.
        var order = batch.Select((m, i) => (m.Key, i)).ToDictionary(p => p.Key, p => p.i, StringComparer.Ordinal);
        outcomes.Sort((a, b) => order[a.Key].CompareTo(order[b.Key]));
        return outcomes;
    }

    private static int Index(string id) => int.Parse(id.AsSpan(1), CultureInfo.InvariantCulture);


    // SQS counts the body plus each attribute's name, type and value.
    private static int Size(OutgoingMessage message)
    {
        var size = Encoding.UTF8.GetByteCount(message.Body);
        foreach (var (name, value) in message.Attributes)
        {
            size += Encoding.UTF8.GetByteCount(name) + Encoding.UTF8.GetByteCount(value.DataType ?? "");
            size += value.StringValue is { } s ? Encoding.UTF8.GetByteCount(s) : (int)(value.BinaryValue?.Length ?? 0);
        }

        return size;
    }
}
