using Microsoft.Extensions.Logging;
using Queueing.Contracts.DeadLetters;
using Queueing.Ingest.Rounds;
using Queueing.Ingest.Telemetry;
using Queueing.Ingest.Waylay;
using Queueing.Shared.Batches;
using Queueing.Shared.Metrics;

namespace Queueing.Ingest.Delivery;

/// <summary>
/// Sends one batch's rounds to Waylay, in order, and records each event's fate in the ledger. Created per
/// invocation (it holds the invocation's "credentials already re-read" flag and deadline).
/// </summary>
internal sealed partial class RoundDelivery(
    WaylayClient waylay,
    RequestChunker chunker,
    BatchLedger ledger,
    DateTimeOffset budgetDeadline,
    EmbeddedMetrics metrics,
    TimeProvider time,
    ILogger logger,
    int maxConcurrentRequests = RoundDelivery.DefaultMaxConcurrentRequests)
{
    /// <summary>
    /// Requests of one round in flight at once. They hold disjoint resources, so their order does not matter;
    /// the next round starts only when the whole round is done. Why 4: docs/ingest.md ("Concurrency").
    /// </summary>
    public const int DefaultMaxConcurrentRequests = 4;

    private readonly int _maxConcurrentRequests = maxConcurrentRequests >= 1
        ? maxConcurrentRequests
        : throw new ArgumentOutOfRangeException(nameof(maxConcurrentRequests), maxConcurrentRequests, "At least one request at a time.");
    private readonly Lock _refreshGate = new();
    private Task<string?>? _credentialsRefresh;

    /// <summary>
    /// Delivers round after round; null when every event was delivered or rejected. At the first transient or
    /// configuration failure it stops: later rounds hold later events of the same resources, and sending them
    /// now would reorder those resources' data.
    /// </summary>
    public async Task<DeliveryStop?> DeliverAsync(IReadOnlyList<IReadOnlyList<TelemetryReading>> rounds, CancellationToken cancellationToken)
    {
        for (var k = 0; k < rounds.Count; k++)
        {
            if (await DeliverRoundAsync(chunker.Chunk(rounds[k]), cancellationToken) is { } stop)
            {
                LogStopped(k + 1, rounds.Count, stop.Reason);
                return stop;
            }
        }

        return null;
    }

    private async Task<DeliveryStop?> DeliverRoundAsync(IReadOnlyList<IReadOnlyList<TelemetryReading>> requests, CancellationToken cancellationToken)
    {
        if (requests.Count == 1 || _maxConcurrentRequests == 1)
        {
            foreach (var request in requests)
            {
                if (await SendAsync(request, cancellationToken) is { } stop)
                {
                    return stop;
                }
            }

            return null;
        }

        DeliveryStop? firstStop = null;
        // No token for the loop itself: SendAsync turns cancellation into a stop, and requests in flight finish
        // (and are recorded) before this returns.
        await Parallel.ForEachAsync(requests, new ParallelOptions { MaxDegreeOfParallelism = _maxConcurrentRequests }, async (request, _) =>
        {
            // After a failure, start nothing new: the failed resources' later events must wait for SQS's retry.
            if (Volatile.Read(ref firstStop) is not null)
            {
                return;
            }

            if (await SendAsync(request, cancellationToken) is { } stop)
            {
                Interlocked.CompareExchange(ref firstStop, stop, null);
            }
        });
        return firstStop;
    }

    private async Task<DeliveryStop?> SendAsync(IReadOnlyList<TelemetryReading> events, CancellationToken cancellationToken)
    {
        if (cancellationToken.IsCancellationRequested || time.GetUtcNow() >= budgetDeadline)
        {
            return new DeliveryStop("the invocation's time budget ran out before these events were sent", ConfigurationFault: false);
        }

        var answer = await PostAsync(events, cancellationToken);
        if (answer.Kind == WaylayAnswerKind.Unauthorized)
        {
            if (await RefreshCredentialsOnce(answer.Error, cancellationToken) is { } problem)
            {
                return new DeliveryStop(problem, ConfigurationFault: true);
            }

            answer = await PostAsync(events, cancellationToken);
        }

        switch (answer.Kind)
        {
            case WaylayAnswerKind.Delivered:
                // A line per delivered record at Trace (LOG_LEVEL=Trace): "follow one device" then sees its
                // deliveries too; at Information the batch's summary line is all, so volume stays per invocation.
                // Not Debug: it costs 1.3 KB of allocation and ~2 µs of CPU per record (bench/Queueing.AotBench
                // ingest, which runs at Debug for the per-invocation cost line and so must not pay it).
                var lineEach = logger.IsEnabled(LogLevel.Trace);
                foreach (var reading in events)
                {
                    ledger.MarkHandled(reading.Index);
                    if (lineEach)
                    {
                        LogDelivered(ledger.MessageIdOf(reading.Index), reading.Resource);
                    }
                }

                return null;

            case WaylayAnswerKind.Rejected when events.Count > 1:
                // The broker refuses a request as a whole; halve it until the refused events stand alone.
                LogBisecting(events.Count, answer.Error);
                var half = events.Count / 2;
                return await SendAsync(Slice(events, 0, half), cancellationToken)
                    ?? await SendAsync(Slice(events, half, events.Count - half), cancellationToken);

            case WaylayAnswerKind.Rejected:
                ledger.MarkForParking(events[0].Index, DeadLetterKind.Rejected, answer.Error);
                return null;

            case WaylayAnswerKind.Unauthorized:
                return new DeliveryStop($"Waylay refused the credentials even after re-reading them: {answer.Error}", ConfigurationFault: true);

            case WaylayAnswerKind.Transient:
                return new DeliveryStop(answer.Error, ConfigurationFault: false);

            default:
                return new DeliveryStop($"Waylay answer suggests a configuration fault (WAYLAY_DATA_URL?): {answer.Error}", ConfigurationFault: true);
        }
    }

    /// <summary>
    /// The one credentials re-read of this invocation (the parameter may have been rotated since this instance
    /// cached it). The first 401/403 starts it; every request refused with the old key waits for the same read
    /// and is repeated once with its result, so concurrent requests cost one SSM call, not one each.
    /// </summary>
    private Task<string?> RefreshCredentialsOnce(string error, CancellationToken cancellationToken)
    {
        lock (_refreshGate)
        {
            if (_credentialsRefresh is null)
            {
                LogRefreshingCredentials(error);
                _credentialsRefresh = waylay.RefreshCredentialsAsync(cancellationToken);
            }

            return _credentialsRefresh;
        }
    }

    private async Task<WaylayAnswer> PostAsync(IReadOnlyList<TelemetryReading> events, CancellationToken cancellationToken)
    {
        var body = WaylayRequestBody.Write(events);
        var started = time.GetTimestamp();
        var answer = await waylay.PostEventsAsync(body, budgetDeadline, cancellationToken);
        metrics.Milliseconds(IngestMetricNames.WaylayLatency, time.GetElapsedTime(started));
        metrics.Count(IngestMetricNames.WaylayRequests);
        metrics.Count(IngestMetricNames.Retried, answer.Retries);
        LogAnswer(events.Count, answer.Kind, answer.StatusCode, answer.Retries);
        return answer;
    }

    private static List<TelemetryReading> Slice(IReadOnlyList<TelemetryReading> events, int start, int count)
    {
        var slice = new List<TelemetryReading>(count);
        for (var i = start; i < start + count; i++)
        {
            slice.Add(events[i]);
        }

        return slice;
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Waylay request of {EventCount} events: {Answer} (HTTP {StatusCode}, {Retries} retries)")]
    private partial void LogAnswer(int eventCount, WaylayAnswerKind answer, int? statusCode, int retries);

    [LoggerMessage(Level = LogLevel.Trace, Message = "Delivered {MessageId} of device {DeviceId} to Waylay")]
    private partial void LogDelivered(string messageId, string deviceId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Waylay rejected a request of {EventCount} events ({Error}); splitting it to find the refused ones")]
    private partial void LogBisecting(int eventCount, string error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Waylay refused the credentials ({Error}); re-reading them once")]
    private partial void LogRefreshingCredentials(string error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Delivery stopped in round {Round} of {Rounds}: {Reason}")]
    private partial void LogStopped(int round, int rounds, string reason);
}
