using Amazon.SQS;
using Amazon.SQS.Model;

namespace Queueing.Redrive.Scanning;

/// <summary>
/// Walks a queue by receiving in rounds and holding what it received (invisible for the scan's visibility
/// timeout), so each round brings messages not seen before. Whatever the caller does not delete is released
/// (visibility 0) by <see cref="ReleaseAsync"/> — call it in a finally, also on Ctrl+C. If the process dies instead,
/// held messages come back on their own when the visibility timeout ends.
///
/// FIFO: SQS hands out no message of a group while an earlier one of that group is in flight, so a held message
/// hides the rest of its group for the scan. A caller that deletes what it received (redrive) unblocks the
/// group; a caller that only reads (peek, export, dry run) sees per group only what came with its first message.
/// </summary>
internal sealed class QueueScanner(IAmazonSQS sqs, SqsQueue queue, ScanSettings settings)
{
    private readonly HashSet<string> _seen = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _held = new(StringComparer.Ordinal);

    /// <summary>Distinct messages received so far.</summary>
    public int Examined => _seen.Count;

    /// <summary>A message came back while the scan was still running: its visibility timeout ran out.</summary>
    public bool LeaseLapsed { get; private set; }

    public int Held => _held.Count;

    /// <summary>
    /// The next messages not seen before; empty when the queue has no visible message left, or when a whole
    /// round brought only messages already seen (the visibility timeout lapsed: see <see cref="LeaseLapsed"/>).
    /// </summary>
    public async Task<IReadOnlyList<Message>> NextRoundAsync(CancellationToken cancellationToken)
    {
        var response = await sqs.ReceiveMessageAsync(new ReceiveMessageRequest
        {
            QueueUrl = queue.Url,
            MaxNumberOfMessages = 10,
            WaitTimeSeconds = settings.WaitSeconds,
            VisibilityTimeout = settings.VisibilityTimeoutSeconds,
            MessageSystemAttributeNames = ["All"],
            MessageAttributeNames = ["All"],
        }, cancellationToken);

        var fresh = new List<Message>();
        foreach (var message in response.Messages ?? [])
        {
            // Keep the newest receipt handle: SQS only honours the latest one for delete and visibility changes.
            _held[message.MessageId] = message.ReceiptHandle;
            if (_seen.Add(message.MessageId))
            {
                fresh.Add(message);
            }
            else
            {
                LeaseLapsed = true;
            }
        }

        return fresh;
    }

    /// <summary>The message was deleted: nothing to release.</summary>
    public void Forget(string messageId) => _held.Remove(messageId);

    public string ReceiptOf(string messageId) => _held[messageId];

    /// <summary>Returns every held message to the queue at once. Returns how many could not be released.</summary>
    public async Task<int> ReleaseAsync()
    {
        var failed = 0;
        foreach (var chunk in _held.ToList().Chunk(10))
        {
            var entries = chunk.Select((held, i) => new ChangeMessageVisibilityBatchRequestEntry
            {
                Id = "r" + i.ToString(System.Globalization.CultureInfo.InvariantCulture),
                ReceiptHandle = held.Value,
                VisibilityTimeout = 0,
            }).ToList();
            try
            {
                // Not cancellable on purpose: this runs after Ctrl+C, to hand the messages back.
                var response = await sqs.ChangeMessageVisibilityBatchAsync(
                    new ChangeMessageVisibilityBatchRequest { QueueUrl = queue.Url, Entries = entries }, CancellationToken.None);
                failed += response.Failed?.Count ?? 0;
            }
            // Boundary: a failed release only delays the messages until their visibility timeout ends.
            catch (Exception ex) when (AwsErrors.IsCallFailure(ex))
            {
                failed += chunk.Length;
            }

            foreach (var held in chunk)
            {
                _held.Remove(held.Key);
            }
        }

        return failed;
    }
}
