using Microsoft.Extensions.Logging;
using Queueing.Actuate.Commands;
using Queueing.Contracts.Commands;
using Queueing.Contracts.DeadLetters;
using Queueing.Contracts.Events;
using Queueing.Contracts.Runtime;
using Queueing.Contracts.Time;
using Queueing.Shared.Batches;
using Queueing.Shared.DeadLetters;
using Queueing.Shared.Metrics;
using Queueing.Shared.Runtime;

namespace Queueing.Actuate.Publisher;

/// <summary>
/// Publishes a FIFO batch from <c>CommandQueue.fifo</c> to AWS IoT Core, in order. Every record starts as a
/// batch item failure and stops being one only when it was published or is safely in the DLQ. At the first
/// transient failure the batch stops: that record and every later one are retried, so no command overtakes an
/// earlier one for the same device. A command past its expiry is parked as expired and never published. The topic
/// is derived from the device id with the topic template, never read from the message: a message whose own
/// <c>topic</c> says otherwise (written by hand, edited and imported, redriven) is parked as rejected.
/// <para>
/// After the batch's publishing and parking, each command's fate goes to IngestQueue as a status message
/// (<see cref="CommandStatusSender"/>): <c>published</c> with its delayed <c>ackDue</c>, and <c>expired</c> /
/// <c>rejected</c> / <c>undelivered</c> (parked as exhausted on its last receive) once SQS confirmed the DLQ copy.
/// A malformed command (no usable device or command id) gets none.
/// </para>
/// </summary>
internal sealed partial class CommandPublisherFunction(
    IotDataPublisher publisher,
    CommandTopicTemplate topics,
    IRecordParker parker,
    CommandStatusSender statuses,
    int maxReceiveCount,
    TimeProvider time,
    ILogger logger) : IFunctionHandler
{
    public const string HandlerName = "command-publisher";

    // Stop starting publishes this long before the deadline, leaving time to park and answer.
    private static readonly TimeSpan PublishSafetyMargin = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan ParkSafetyMargin = TimeSpan.FromMilliseconds(300);
    // Status messages are sent last; this much is left to answer Lambda.
    private static readonly TimeSpan StatusSafetyMargin = TimeSpan.FromMilliseconds(200);

    /// <summary>The SQS event's bytes in, the partial-batch response's bytes out; an unreadable event is an
    /// <see cref="InvalidEventException"/> (a function error: Lambda retries the batch).</summary>
    public async Task<byte[]> InvokeAsync(ReadOnlyMemory<byte> payload, InvocationContext context, CancellationToken cancellationToken)
    {
        using var records = SqsEventReader.Read(payload);
        var metrics = context.Metrics;
        var ledger = new BatchLedger(records);
        var fates = new Fates();
        try
        {
            using (var budget = context.CreateBudget(PublishSafetyMargin, cancellationToken))
            {
                await PublishInOrderAsync(records, ledger, fates, metrics, context.TraceId, budget.Token);
            }

            await ParkAsync(ledger, metrics, context, cancellationToken);
        }
        finally
        {
            metrics.Count(CommandPublisherMetricNames.Retried, ledger.Unfinished);
        }

        using (var budget = context.CreateBudget(StatusSafetyMargin, cancellationToken))
        {
            await statuses.SendAsync(fates.Statuses(ledger, time.GetUtcNow()), metrics, budget.Token);
        }

        return ledger.WriteResponse(out _);
    }

    private async Task PublishInOrderAsync(SqsRecordBatch records, BatchLedger ledger, Fates fates, EmbeddedMetrics metrics, string? invocationTrace, CancellationToken budget)
    {
        string? stoppedBecause = null;
        for (var i = 0; i < records.Count; i++)
        {
            var record = records[i];
            if (stoppedBecause is null && budget.IsCancellationRequested)
            {
                stoppedBecause = "the invocation's time budget ran out before it was published";
            }

            if (stoppedBecause is not null)
            {
                // On its last receive it is parked now; a command read from it has its fate reported like any other.
                var notAttempted = record.ReceiveCount >= maxReceiveCount && CommandMessage.TryParse(record.Body, topics, out var unsent, out _, out _) ? unsent : null;
                Defer(ledger, fates, i, record.ReceiveCount, notAttempted, $"Not attempted: an earlier command in the batch could not be published ({stoppedBecause})", record.TraceHeader ?? invocationTrace);
                continue;
            }

            if (!CommandMessage.TryParse(record.Body, topics, out var command, out var recordedTopic, out var error))
            {
                ledger.MarkForParking(i, DeadLetterKind.Malformed, error);
                continue;
            }

            // A disagreeing topic is never "corrected" and published: someone meant another device, or the template
            // changed since the command was accepted; either way an operator decides.
            if (recordedTopic is not null && !string.Equals(recordedTopic, command.Topic, StringComparison.Ordinal))
            {
                metrics.Count(CommandPublisherMetricNames.TopicMismatch);
                LogTopicMismatch(command.CommandId, command.DeviceId, record.MessageId, recordedTopic, command.Topic);
                var mismatch = $"The message's topic '{recordedTopic}' is not the topic derived for device {command.DeviceId} from {CommandTopicTemplate.SettingName} '{topics}', which is '{command.Topic}'; it was not published.";
                ledger.MarkForParking(i, DeadLetterKind.Rejected, mismatch);
                fates.Parking(i, command, CommandStatusKind.Rejected, mismatch, record.TraceHeader ?? invocationTrace);
                continue;
            }

            var now = time.GetUtcNow();
            if (now >= command.ExpiresAt)
            {
                var late = now - command.ExpiresAt;
                var expired = $"Command {command.CommandId} expired at {IsoTime.Format(command.ExpiresAt)}, {late.TotalSeconds:0.###} s before it could be published; it was not published.";
                ledger.MarkForParking(i, DeadLetterKind.Expired, expired);
                fates.Parking(i, command, CommandStatusKind.Expired, expired, record.TraceHeader ?? invocationTrace);
                continue;
            }

            // Each command's publish joins its own trace (its message's AWSTraceHeader, from the API request that
            // accepted it); the invocation's trace is only the first record's.
            var trace = record.TraceHeader ?? invocationTrace;
            // Stamped before the call: the device can receive and acknowledge the command before IoT Data answers, and
            // its ack's timestamp (the rule's receive time) must not come before the published event's in Waylay.
            var publishedAt = time.GetUtcNow();
            var outcome = await publisher.PublishAsync(command, budget, trace);
            switch (outcome.Result)
            {
                case PublishResult.Published:
                    ledger.MarkHandled(i);
                    fates.Published(command, publishedAt, trace);
                    metrics.Count(CommandPublisherMetricNames.Published);
                    LogPublished(command.CommandId, command.DeviceId, record.MessageId, command.Topic, command.Qos);
                    break;
                case PublishResult.Rejected:
                    ledger.MarkForParking(i, DeadLetterKind.Rejected, outcome.Reason);
                    fates.Parking(i, command, CommandStatusKind.Rejected, outcome.Reason, record.TraceHeader ?? invocationTrace);
                    break;
                default:
                    stoppedBecause = outcome.Reason;
                    LogStopped(command.CommandId, command.DeviceId, record.MessageId, outcome.Reason);
                    Defer(ledger, fates, i, record.ReceiveCount, command, outcome.Reason, trace);
                    break;
            }
        }
    }

    /// <summary>Retried on the next receive — unless this was the last one the redrive policy allows: then it is
    /// parked now, with the reason, rather than moved by SQS's redrive without one, and its fate (when the record
    /// holds a readable <paramref name="command"/>) is reported as <c>undelivered</c> once the parking is confirmed.</summary>
    private void Defer(BatchLedger ledger, Fates fates, int index, int receiveCount, Command? command, string reason, string? trace)
    {
        if (receiveCount < maxReceiveCount)
        {
            return;
        }

        var exhausted = $"Receive {receiveCount} of {maxReceiveCount}: {reason}";
        if (ledger.ParkIfLastReceive(index, maxReceiveCount, exhausted) && command is not null)
        {
            fates.Parking(index, command, CommandStatusKind.Undelivered, exhausted, trace);
        }
    }

    private async Task ParkAsync(BatchLedger ledger, EmbeddedMetrics metrics, InvocationContext context, CancellationToken cancellationToken)
    {
        if (!ledger.HasParking)
        {
            return;
        }

        using (var budget = context.CreateBudget(ParkSafetyMargin, cancellationToken))
        {
            await ledger.ParkAsync(parker, budget.Token);
        }

        foreach (var kind in Enum.GetValues<DeadLetterKind>())
        {
            var parked = ledger.Parked(kind);
            if (parked > 0)
            {
                metrics.Count(CommandPublisherMetricNames.Parked(kind), parked);
            }
        }
    }

    /// <summary>The batch's command fates, to be reported once publishing and parking are done.</summary>
    private sealed class Fates
    {
        private readonly List<CommandStatus> _published = [];
        private readonly List<(int Index, Command Command, CommandStatusKind Kind, string Reason, string? Trace)> _parking = [];

        /// <summary>IoT Core accepted the publish that started at <paramref name="at"/>: <c>published</c> now (stamped with
        /// <paramref name="at"/>), <c>ackDue</c> when it expires.</summary>
        public void Published(Command command, DateTimeOffset at, string? trace)
        {
            _published.Add(new CommandStatus(new CommandStatusMessage(CommandStatusKind.Published, command.DeviceId, command.CommandId, command.AcceptedAt, at), TraceHeader: trace));
            var (delay, dueAt) = CommandStatusSender.AckDue(at, command.ExpiresAt);
            _published.Add(new CommandStatus(new CommandStatusMessage(CommandStatusKind.AckDue, command.DeviceId, command.CommandId, command.AcceptedAt, dueAt), delay, trace));
        }

        /// <summary>Marked for parking; reported only if the parking is confirmed.</summary>
        public void Parking(int index, Command command, CommandStatusKind kind, string reason, string? trace) => _parking.Add((index, command, kind, reason, trace));

        /// <summary>Every status to send: the published ones, and each parked one that SQS confirmed.</summary>
        public List<CommandStatus> Statuses(BatchLedger ledger, DateTimeOffset parkedAt)
        {
            var statuses = new List<CommandStatus>(_published);
            foreach (var (index, command, kind, reason, trace) in _parking)
            {
                if (ledger.IsParked(index))
                {
                    statuses.Add(new CommandStatus(new CommandStatusMessage(kind, command.DeviceId, command.CommandId, command.AcceptedAt, parkedAt, reason), TraceHeader: trace));
                }
            }

            return statuses;
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Published command {CommandId} for {DeviceId} to {Topic} (QoS {Qos}), message {MessageId}")]
    private partial void LogPublished(string commandId, string deviceId, string messageId, string topic, int qos);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Command {CommandId} for {DeviceId} (message {MessageId}) names topic {RecordedTopic}, not its derived topic {DerivedTopic}: parked as rejected, not published")]
    private partial void LogTopicMismatch(string commandId, string deviceId, string messageId, string recordedTopic, string derivedTopic);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Stopped the batch at command {CommandId} for {DeviceId} (message {MessageId}); it and the rest are retried: {Reason}")]
    private partial void LogStopped(string commandId, string deviceId, string messageId, string reason);
}
