using Microsoft.Extensions.Logging;
using Queueing.Contracts.DeadLetters;
using Queueing.Contracts.Events;
using Queueing.Contracts.Runtime;
using Queueing.Ingest.Delivery;
using Queueing.Ingest.Rounds;
using Queueing.Ingest.Settings;
using Queueing.Ingest.Telemetry;
using Queueing.Ingest.Waylay;
using Queueing.Shared.Batches;
using Queueing.Shared.DeadLetters;
using Queueing.Shared.Metrics;
using Queueing.Shared.Runtime;

namespace Queueing.Ingest;

/// <summary>
/// The <c>ingest</c> function: an SQS batch of telemetry in, batch item failures out. Malformed records, and records
/// whose payload claimed an identity only the rule may set, are parked at once (malformed / rejected); the rest go
/// to Waylay in rounds; refused events are parked as rejected; what could not be sent is retried by SQS, or parked
/// as exhausted on its last allowed receive.
/// </summary>
internal sealed partial class IngestFunction(
    IngestSettings settings,
    WaylayClient waylay,
    IRecordParker parker,
    RequestChunker chunker,
    TimeProvider time,
    ILoggerFactory loggers,
    int maxConcurrentRequests = RoundDelivery.DefaultMaxConcurrentRequests) : IFunctionHandler
{
    // Time kept back from the Waylay work to park records and answer Lambda before the deadline.
    private static readonly TimeSpan MinSafetyMargin = TimeSpan.FromMilliseconds(500);
    private static readonly TimeSpan MaxSafetyMargin = TimeSpan.FromSeconds(5);
    // Parking stops this long before the deadline so the response still reaches the Runtime API.
    private static readonly TimeSpan ResponseMargin = TimeSpan.FromMilliseconds(200);

    private readonly ILogger _logger = loggers.CreateLogger("Queueing.Ingest");

    /// <summary>The SQS event's bytes in, the partial-batch response's bytes out; an unreadable event is an
    /// <see cref="InvalidEventException"/> (a function error: Lambda retries the batch).</summary>
    public async Task<byte[]> InvokeAsync(ReadOnlyMemory<byte> payload, InvocationContext context, CancellationToken cancellationToken)
    {
        using var records = SqsEventReader.Read(payload);
        return await HandleBatchAsync(records, context, context.Metrics, cancellationToken);
    }

    private async Task<byte[]> HandleBatchAsync(
        SqsRecordBatch records, InvocationContext context, EmbeddedMetrics metrics, CancellationToken cancellationToken)
    {
        metrics.Count(IngestMetricNames.Received, records.Count);
        var ledger = new BatchLedger(records);
        // A parser per batch: it remembers this batch's device ids (one string each) and nothing beyond it.
        var parser = new TelemetryParser(settings.MaxTelemetryBytes, settings.TelemetryFormat);
        var readings = new List<TelemetryReading>(records.Count);
        var mismatches = 0;
        for (var i = 0; i < records.Count; i++)
        {
            var parsed = parser.Parse(records[i], i);
            if (parsed.Reading is { } reading)
            {
                readings.Add(reading);
            }
            else if (parsed.RejectedReason is { } rejected)
            {
                mismatches += parsed.DeviceIdMismatch ? 1 : 0;
                ledger.MarkForParking(i, DeadLetterKind.Rejected, rejected);
            }
            else
            {
                ledger.MarkForParking(i, DeadLetterKind.Malformed, parsed.MalformedReason!);
            }
        }

        // A spoof attempt or a misconfigured device: counted when seen (each one is parked as rejected too).
        metrics.Count(IngestMetricNames.DeviceIdMismatch, mismatches);

        var stop = readings.Count == 0 ? null : await DeliverAsync(readings, ledger, context, metrics, cancellationToken);
        if (stop is not null)
        {
            ParkExhausted(ledger, stop);
        }

        if (ledger.HasParking)
        {
            using var parking = context.CreateBudget(ResponseMargin, cancellationToken);
            await ledger.ParkAsync(parker, parking.Token);
        }

        var response = ledger.WriteResponse(out var failed);
        RecordOutcome(records.Count, ledger, failed, metrics);
        return response;
    }

    private async Task<DeliveryStop?> DeliverAsync(
        List<TelemetryReading> readings, BatchLedger ledger, InvocationContext context, EmbeddedMetrics metrics, CancellationToken cancellationToken)
    {
        var margin = SafetyMargin(context.RemainingTime);
        using var budget = context.CreateBudget(margin, cancellationToken);
        var delivery = new RoundDelivery(waylay, chunker, ledger, context.Deadline - margin, metrics, time, _logger, maxConcurrentRequests);
        try
        {
            return await delivery.DeliverAsync(RoundPlanner.Plan(readings), budget.Token);
        }
        // Boundary: the client turns every expected failure into an answer, so this is a bug. Reporting the unsent
        // records as failures (and parking them on their last receive) loses nothing; throwing would fail the
        // whole batch, malformed records included, and leave the DLQ copies without a reason.
        catch (Exception ex)
        {
            LogUnexpected(ex, ex.GetType().Name);
            return new DeliveryStop($"internal error while sending to Waylay: {ex.GetType().Name}: {ex.Message}", ConfigurationFault: false);
        }
    }

    private void ParkExhausted(BatchLedger ledger, DeliveryStop stop)
    {
        var unhandled = ledger.Unhandled().ToList();
        var exhausted = 0;
        foreach (var index in unhandled)
        {
            // On the last receive the queue's redrive would move the record to the DLQ without a reason: park it
            // ourselves with the error that kept it from being delivered.
            if (ledger.ParkIfLastReceive(index, settings.MaxReceiveCount, stop.Reason))
            {
                exhausted++;
            }
        }

        if (stop.ConfigurationFault)
        {
            LogConfigurationFault(unhandled.Count, exhausted, stop.Reason);
        }
        else
        {
            LogTransientFailure(unhandled.Count, exhausted, stop.Reason);
        }
    }

    private void RecordOutcome(int received, BatchLedger ledger, int failed, EmbeddedMetrics metrics)
    {
        var malformed = ledger.Parked(DeadLetterKind.Malformed);
        var rejected = ledger.Parked(DeadLetterKind.Rejected);
        var exhausted = ledger.Parked(DeadLetterKind.Exhausted);
        metrics.Count(IngestMetricNames.Delivered, ledger.Handled);
        metrics.Count(IngestMetricNames.ParkedMalformed, malformed);
        metrics.Count(IngestMetricNames.ParkedRejected, rejected);
        metrics.Count(IngestMetricNames.ParkedExhausted, exhausted);
        metrics.Count(IngestMetricNames.ParkingFailed, ledger.ParkingFailed);
        metrics.Count(IngestMetricNames.Failed, failed);
        LogBatch(received, ledger.Handled, malformed, rejected, exhausted, failed);
    }

    internal static TimeSpan SafetyMargin(TimeSpan remaining)
    {
        var tenth = remaining / 10;
        return tenth < MinSafetyMargin ? MinSafetyMargin : tenth > MaxSafetyMargin ? MaxSafetyMargin : tenth;
    }

    [LoggerMessage(Level = LogLevel.Information,
        Message = "Batch of {Received}: {Delivered} delivered, parked {Malformed} malformed, {Rejected} rejected, {Exhausted} exhausted; {Failed} left to SQS for retry")]
    private partial void LogBatch(int received, int delivered, int malformed, int rejected, int exhausted, int failed);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Waylay failed transiently; {Unsent} records not delivered ({Exhausted} on their last receive, parked as exhausted): {Reason}")]
    private partial void LogTransientFailure(int unsent, int exhausted, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "Configuration fault; {Unsent} records not delivered ({Exhausted} on their last receive, parked as exhausted): {Reason}")]
    private partial void LogConfigurationFault(int unsent, int exhausted, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "Unexpected {ErrorType} while delivering; unsent records are left for retry")]
    private partial void LogUnexpected(Exception exception, string errorType);
}
