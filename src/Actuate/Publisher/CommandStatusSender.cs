using System.Globalization;
using Amazon.SQS;
using Amazon.SQS.Model;
using Microsoft.Extensions.Logging;
using Queueing.Contracts.Commands;
using Queueing.Contracts.Events;
using Queueing.Shared.Metrics;

namespace Queueing.Actuate.Publisher;

/// <summary>One status message to send, how long SQS holds it back (the <c>ackDue</c> timer; 0 for the others), and
/// the X-Ray trace of the command it reports on (sent as <c>AWSTraceHeader</c>, so Ingest's delivery of the status joins
/// the command's trace).</summary>
public readonly record struct CommandStatus(CommandStatusMessage Message, int DelaySeconds = 0, string? TraceHeader = null);

/// <summary>
/// Sends the command publisher's status messages to IngestQueue (<c>STATUS_QUEUE_URL</c>) with SendMessageBatch, at
/// most <see cref="MaxEntriesPerCall"/> per call, each entry with its own <c>DelaySeconds</c> (IngestQueue is a
/// standard queue, which allows that). An entry SQS did not confirm (refused, or the call failed after the SDK's own
/// retries) is sent once more; one that fails again is logged at Error with its command id and counted as
/// <see cref="CommandPublisherMetricNames.StatusNotSent"/>. It never throws: a status that cannot be sent must never
/// fail or retry the command, which would publish it twice.
/// </summary>
public sealed partial class CommandStatusSender(IAmazonSQS sqs, string queueUrl, ILogger logger)
{
    public const int MaxEntriesPerCall = 10;

    /// <summary>SQS's ceiling for a message's delay.</summary>
    public const int MaxDelaySeconds = 900;

    private const int Attempts = 2;

    private readonly IAmazonSQS _sqs = sqs;
    private readonly string _queueUrl = queueUrl;
    private readonly ILogger _logger = logger;

    /// <summary>The <c>ackDue</c> timer of a command published at <paramref name="publishedAt"/>: SQS's delay
    /// (the seconds left to its expiry, rounded up, at most <see cref="MaxDelaySeconds"/>) and the time it is due.</summary>
    public static (int DelaySeconds, DateTimeOffset DueAt) AckDue(DateTimeOffset publishedAt, DateTimeOffset expiresAt)
    {
        var delay = (int)Math.Clamp(Math.Ceiling((expiresAt - publishedAt).TotalSeconds), 0, MaxDelaySeconds);
        var latest = publishedAt.AddSeconds(MaxDelaySeconds);
        return (delay, expiresAt < latest ? expiresAt : latest);
    }

    /// <summary>Sends every status; returns how many SQS confirmed. Counts the rest in <paramref name="metrics"/>.</summary>
    public async Task<int> SendAsync(IReadOnlyList<CommandStatus> statuses, EmbeddedMetrics metrics, CancellationToken cancellationToken)
    {
        if (statuses.Count == 0)
        {
            return 0;
        }

        var sent = 0;
        var pending = statuses.ToList();
        var failed = new List<(CommandStatus Status, string Error)>();
        for (var attempt = 1; attempt <= Attempts && pending.Count > 0; attempt++)
        {
            failed = [];
            foreach (var chunk in pending.Chunk(MaxEntriesPerCall))
            {
                sent += await SendChunkAsync(chunk, failed, cancellationToken);
            }

            pending = [.. failed.Select(f => f.Status)];
        }

        metrics.Count(CommandPublisherMetricNames.StatusSent, sent);
        metrics.Count(CommandPublisherMetricNames.StatusNotSent, failed.Count);
        foreach (var (status, error) in failed)
        {
            LogNotSent(status.Message.Kind.ToWire(), status.Message.CommandId, status.Message.DeviceId, error);
        }

        return sent;
    }

    private async Task<int> SendChunkAsync(CommandStatus[] chunk, List<(CommandStatus Status, string Error)> failed, CancellationToken cancellationToken)
    {
        var entries = new List<SendMessageBatchRequestEntry>(chunk.Length);
        for (var i = 0; i < chunk.Length; i++)
        {
            var entry = new SendMessageBatchRequestEntry
            {
                Id = "s" + i.ToString(CultureInfo.InvariantCulture),
                MessageBody = chunk[i].Message.ToJson(),
                DelaySeconds = chunk[i].DelaySeconds,
            };
            if (!string.IsNullOrEmpty(chunk[i].TraceHeader))
            {
                entry.MessageSystemAttributes = new()
                {
                    [SqsAttributeNames.AwsTraceHeader] = new MessageSystemAttributeValue { DataType = "String", StringValue = chunk[i].TraceHeader },
                };
            }

            entries.Add(entry);
        }

        SendMessageBatchResponse response;
        try
        {
            response = await _sqs.SendMessageBatchAsync(new SendMessageBatchRequest { QueueUrl = _queueUrl, Entries = entries }, cancellationToken);
        }
        // Boundary: whatever stopped the call (network, throttling, credentials, the deadline, or the SDK refusing its
        // own configuration, e.g. an empty AWS_ENDPOINT_URL_SQS), these statuses are not sent; the command they describe
        // was handled all the same. Every exception: one escaping here would fail the invocation and publish the
        // batch's commands again.
        catch (Exception ex)
        {
            foreach (var status in chunk)
            {
                failed.Add((status, ex.Message));
            }

            return 0;
        }

        var confirmed = new bool[chunk.Length];
        foreach (var ok in response.Successful ?? [])
        {
            if (TryIndex(ok.Id, chunk.Length, out var index))
            {
                confirmed[index] = true;
            }
        }

        var sent = 0;
        var refusals = (response.Failed ?? []).ToDictionary(f => f.Id ?? string.Empty, f => $"{f.Code}: {f.Message}", StringComparer.Ordinal);
        for (var i = 0; i < chunk.Length; i++)
        {
            if (confirmed[i])
            {
                sent++;
                continue;
            }

            // Assume failure until SQS says otherwise: an entry in neither list is not known to be sent.
            failed.Add((chunk[i], refusals.GetValueOrDefault(entries[i].Id, "SQS did not report this entry as sent.")));
        }

        return sent;
    }

    private static bool TryIndex(string? id, int count, out int index)
    {
        index = -1;
        return id is { Length: > 1 } && id[0] == 's'
            && int.TryParse(id.AsSpan(1), NumberStyles.None, CultureInfo.InvariantCulture, out index)
            && index < count;
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Could not send the {Status} status of command {CommandId} for {DeviceId} to IngestQueue after retrying; Waylay will not see it (the command itself was handled): {Error}")]
    private partial void LogNotSent(string status, string commandId, string deviceId, string error);
}
