using System.Globalization;
using System.Text;
using System.Text.Json;
using Amazon.SQS;
using Amazon.SQS.Model;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Queueing.Contracts.Events;
using Queueing.Contracts.Json;
using Queueing.Emulators.Lambda;
using Queueing.Emulators.Template;

namespace Queueing.Local.EventSources;

/// <summary>
/// The local SQS event source mapping of one function's <c>SQS</c> event: <c>MaxConcurrency</c> pollers each
/// receive up to <c>BatchSize</c> messages (waiting up to <c>MaximumBatchingWindowInSeconds</c> for more; FIFO
/// queues have no batching window), invoke the function once with the SQS event Lambda would build, and delete
/// what succeeded. Failed messages are left to the queue: they come back after its visibility timeout and, after
/// <c>maxReceiveCount</c> receives, SQS moves them to the dead-letter queue. On FIFO queues two batches of one
/// message group are never in flight together.
/// </summary>
internal sealed partial class SqsPoller : IAsyncDisposable
{
    /// <summary>Lambda's invocation payload limit; a batch stops growing before its event would exceed it.</summary>
    public const int MaxPayloadBytes = 6 * 1024 * 1024;

    /// <summary>ReceiveMessage returns at most 10 messages; DeleteMessageBatch and ChangeMessageVisibilityBatch take 10.</summary>
    private const int SqsBatchLimit = 10;

    // An event record's JSON beyond its body and attributes (ids, receipt handle, md5s, ARN, attribute names).
    private const int RecordOverheadBytes = 1024;

    private readonly SqsEventSource _source;
    private readonly IAmazonSQS _sqs;
    private readonly Func<ReadOnlyMemory<byte>, CancellationToken, Task<InvocationResult>> _invoke;
    private readonly SqsPollerOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly MessageGroupLocks _groups = new();

    // FIFO: one poller receives at a time and reserves its batch's groups before the next receives, so batches of a
    // group run in the order SQS handed them out even when moto gives a group to two concurrent receives.
    private readonly SemaphoreSlim _fifoReceive = new(1, 1);
    private readonly TimeSpan _window;
    private readonly int _concurrency;

    // Graceful stop: no new ReceiveMessage; what was received is still invoked, deleted or handed back.
    private readonly CancellationTokenSource _stopReceiving = new();

    // Abandon: cancel invocations and SQS calls; whatever was not deleted reappears after its visibility timeout.
    private readonly CancellationTokenSource _abandon = new();

    private Task[] _workers = [];
    private bool _started;
    private bool _disposed;

    private readonly SqsPollerCounters _counts = new();

    public SqsPoller(
        string functionLogicalId,
        SqsEventSource source,
        QueueDefinition queue,
        IAmazonSQS sqs,
        Func<ReadOnlyMemory<byte>, CancellationToken, Task<InvocationResult>> invoke,
        SqsPollerOptions? options = null,
        TimeProvider? time = null,
        ILoggerFactory? loggers = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(source.BatchSize, 1);
        FunctionLogicalId = functionLogicalId;
        Queue = queue;
        _source = source;
        _sqs = sqs;
        _invoke = invoke;
        _options = options ?? new SqsPollerOptions();
        _time = time ?? TimeProvider.System;
        _logger = (loggers ?? NullLoggerFactory.Instance).CreateLogger<SqsPoller>();
        _concurrency = _options.MaxConcurrency ?? source.MaximumConcurrency ?? 2;
        ArgumentOutOfRangeException.ThrowIfLessThan(_concurrency, 1);

        // "Batching window is not supported for FIFO queues" (Lambda's SQS event source parameters).
        _window = queue.Fifo ? TimeSpan.Zero : TimeSpan.FromSeconds(Math.Max(0, source.MaximumBatchingWindowInSeconds));
    }

    public string FunctionLogicalId { get; }

    public QueueDefinition Queue { get; }

    public SqsEventSource Source => _source;

    /// <summary>Pollers actually running (0 before start, for a disabled source, and after stop).</summary>
    public int RunningPollers => _workers.Count(w => !w.IsCompleted);

    public SqsPollerCounters Counters => _counts.Snapshot();

    /// <summary>Starts the pollers in the background (a disabled source only logs).</summary>
    public Task StartAsync(CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_started)
        {
            throw new InvalidOperationException("The poller is already started.");
        }

        _started = true;
        if (!_source.Enabled)
        {
            LogDisabled(FunctionLogicalId, _source.Name, Queue.QueueName);
            return Task.CompletedTask;
        }

        if (Queue.Fifo && _source.MaximumBatchingWindowInSeconds > 0)
        {
            LogFifoWindowIgnored(FunctionLogicalId, _source.Name, _source.MaximumBatchingWindowInSeconds);
        }

        _workers = Enumerable.Range(0, _concurrency).Select(_ => Task.Run(RunPollerAsync, CancellationToken.None)).ToArray();
        LogStarted(FunctionLogicalId, Queue.QueueName, _concurrency, _source.BatchSize, (int)_window.TotalSeconds, _source.ReportBatchItemFailures);
        return Task.CompletedTask;
    }

    /// <summary>
    /// Stops receiving and lets the batches in flight finish (invoke, delete, hand back). Cancelling
    /// <paramref name="cancellationToken"/> abandons them: nothing more is deleted, their messages reappear after
    /// their visibility timeout.
    /// </summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stopReceiving.CancelAsync();
        using (cancellationToken.Register(static state => ((CancellationTokenSource)state!).Cancel(), _abandon))
        {
            // The pollers catch everything but an abandon, which they end on; they never fault.
            await Task.WhenAll(_workers);
        }
    }

    /// <summary>Abandons what is in flight (see <see cref="StopAsync"/>) and waits for the pollers to end.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        await _stopReceiving.CancelAsync();
        await _abandon.CancelAsync();
        await Task.WhenAll(_workers);
        _stopReceiving.Dispose();
        _abandon.Dispose();
        _fifoReceive.Dispose();
    }

    private async Task RunPollerAsync()
    {
        // Messages received beyond what fitted in the last batch (payload limit); they open the next one.
        var carried = new Queue<Message>();
        try
        {
            while (true)
            {
                var (batch, ticket) = await GatherInOrderAsync(carried);
                if (batch.Count > 0)
                {
                    await ProcessAsync(batch, ticket);
                }
                else if (_stopReceiving.IsCancellationRequested)
                {
                    return;
                }
            }
        }
        catch (OperationCanceledException) when (_abandon.IsCancellationRequested)
        {
            // Abandoned: the carried messages are left to their visibility timeout.
            Interlocked.Add(ref _counts.InFlight, -carried.Count);
        }
    }

    private async Task<(List<Message> Batch, long Ticket)> GatherInOrderAsync(Queue<Message> carried)
    {
        if (!Queue.Fifo)
        {
            return (await GatherAsync(carried), 0);
        }

        await _fifoReceive.WaitAsync(_abandon.Token);
        try
        {
            var batch = await GatherAsync(carried);
            return (batch, batch.Count > 0 ? _groups.Reserve(GroupsOf(batch)) : 0);
        }
        finally
        {
            _fifoReceive.Release();
        }
    }

    private IReadOnlyCollection<string> GroupsOf(List<Message> batch) => Queue.Fifo
        ? batch.Select(m => m.Attributes?.GetValueOrDefault(SqsAttributeNames.MessageGroupId) ?? string.Empty).ToHashSet(StringComparer.Ordinal)
        : [];

    /// <summary>
    /// Collects one batch: the carried messages, then receives until BatchSize, the payload limit or the batching
    /// window (from the first message) is reached; with no window, the first receive that returns messages ends
    /// it. Empty only when stopping with nothing received.
    /// </summary>
    private async Task<List<Message>> GatherAsync(Queue<Message> carried)
    {
        var batch = new List<Message>();
        var bytes = 0;
        while (carried.Count > 0 && Fits(batch, bytes, carried.Peek()))
        {
            var message = carried.Dequeue();
            bytes += EstimatedBytes(message);
            batch.Add(message);
        }

        if (carried.Count > 0 || batch.Count >= _source.BatchSize)
        {
            return batch;
        }

        DateTimeOffset? windowEnd = batch.Count > 0 ? _time.GetUtcNow() + _window : null;
        var backoff = _options.ReceiveBackoff;
        while (!_stopReceiving.IsCancellationRequested && batch.Count < _source.BatchSize)
        {
            var remaining = windowEnd is { } end ? end - _time.GetUtcNow() : (TimeSpan?)null;
            if (remaining <= TimeSpan.Zero)
            {
                break;
            }

            var wait = remaining is { } r && r < _options.WaitTime ? r : _options.WaitTime;
            var waitSeconds = (int)Math.Clamp(Math.Floor(wait.TotalSeconds), 0, 20);
            List<Message> received;
            try
            {
                // Not cancelled by a graceful stop: a receive cut short could lose messages SQS already handed out
                // to their visibility timeout, and it lasts at most WaitTime.
                received = await ReceiveAsync(Math.Min(SqsBatchLimit, _source.BatchSize - batch.Count), waitSeconds);
                backoff = _options.ReceiveBackoff;
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !_abandon.IsCancellationRequested)
            {
                // Boundary: the local AWS being down or the queue missing must not end the poller; retry until stopped.
                Interlocked.Increment(ref _counts.ReceiveErrors);
                LogReceiveFailed(FunctionLogicalId, Queue.QueueName, backoff.TotalMilliseconds, ex.Message);
                if (batch.Count > 0)
                {
                    break;
                }

                await DelayUnlessStoppedAsync(backoff);
                backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, _options.MaxReceiveBackoff.Ticks));
                continue;
            }

            if (received.Count == 0)
            {
                if (waitSeconds == 0)
                {
                    // A short poll: pace the next one (to the window's end, or the sub-second WaitTime).
                    var pause = TimeSpan.FromMilliseconds(Math.Max(20, Math.Min(wait.TotalMilliseconds, 200)));
                    await DelayUnlessStoppedAsync(pause);
                }

                continue;
            }

            Interlocked.Add(ref _counts.Received, received.Count);
            Interlocked.Add(ref _counts.InFlight, received.Count);
            foreach (var message in received)
            {
                if (carried.Count == 0 && Fits(batch, bytes, message))
                {
                    bytes += EstimatedBytes(message);
                    batch.Add(message);
                }
                else
                {
                    carried.Enqueue(message);
                }
            }

            if (carried.Count > 0)
            {
                break;
            }

            windowEnd ??= _time.GetUtcNow() + _window;
        }

        return batch;
    }

    private bool Fits(List<Message> batch, int bytes, Message next) =>
        batch.Count == 0 || (batch.Count < _source.BatchSize && bytes + EstimatedBytes(next) <= MaxPayloadBytes);

    private static int EstimatedBytes(Message message)
    {
        var bytes = RecordOverheadBytes + Encoding.UTF8.GetByteCount(message.Body ?? string.Empty);
        foreach (var (name, value) in message.MessageAttributes ?? [])
        {
            // Binary values travel base64-encoded.
            bytes += name.Length + 64 + (value.StringValue?.Length ?? 0) + (int)((value.BinaryValue?.Length ?? 0) * 4 / 3 + 4);
        }

        return bytes;
    }

    private async Task<List<Message>> ReceiveAsync(int maxMessages, int waitSeconds)
    {
        var response = await _sqs.ReceiveMessageAsync(
            new ReceiveMessageRequest
            {
                QueueUrl = Queue.Url,
                MaxNumberOfMessages = maxMessages,
                WaitTimeSeconds = waitSeconds,
                MessageSystemAttributeNames = ["All"],
                MessageAttributeNames = ["All"],
            },
            _abandon.Token);

        // AWSSDK v4 leaves an empty response's list null.
        return response.Messages ?? [];
    }

    private async Task DelayUnlessStoppedAsync(TimeSpan delay)
    {
        try
        {
            await Task.Delay(delay, _time, _stopReceiving.Token);
        }
        catch (OperationCanceledException) when (_stopReceiving.IsCancellationRequested)
        {
            // Stopping: return to the loop, which ends.
        }
    }

    private async Task ProcessAsync(List<Message> batch, long ticket)
    {
        var groups = GroupsOf(batch);
        var acquired = false;
        try
        {
            await _groups.AcquireAsync(ticket, groups, () => Interlocked.Increment(ref _counts.GroupWaits), _abandon.Token);

            acquired = true;
            var records = batch.Select(m => ReceivedMessages.ToRecord(m, Queue.Arn, _options.Region)).ToList();
            var payload = JsonSerializer.SerializeToUtf8Bytes(new SqsEvent { Records = records }, SharedJsonContext.Default.SqsEvent);
            Interlocked.Increment(ref _counts.Invocations);
            var outcome = await InvokeAsync(payload, records);
            Record(outcome, batch.Count);

            var succeeded = batch.Where((_, i) => !outcome.Failed[i]).ToList();
            var failed = batch.Where((_, i) => outcome.Failed[i]).ToList();
            await DeleteAsync(succeeded);
            if (failed.Count > 0 && _options.FailedVisibilityTimeout is { } visibility)
            {
                await ChangeVisibilityAsync(failed, visibility);
            }
        }
        finally
        {
            if (acquired)
            {
                _groups.Release(groups);
            }

            Interlocked.Add(ref _counts.InFlight, -batch.Count);
        }
    }

    private async Task<BatchOutcome> InvokeAsync(byte[] payload, IReadOnlyList<SqsMessage> records)
    {
        InvocationResult result;
        try
        {
            // As Lambda's event source: the invocation joins the trace of the batch's first record, when it has one.
            using (InvocationTrace.Pass(records[0].Attributes.GetValueOrDefault(SqsAttributeNames.AwsTraceHeader)))
            {
                result = await _invoke(payload, _abandon.Token);
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !_abandon.IsCancellationRequested)
        {
            // Boundary: an invoker that throws (function runtime stopped, ...) is a failed invocation for the
            // batch, which stays in the queue; the poller goes on.
            LogInvokeThrew(FunctionLogicalId, Queue.QueueName, records.Count, ex.Message);
            return new BatchOutcome(BatchOutcomeKind.FunctionError, Enumerable.Repeat(true, records.Count).ToArray(), ex.Message);
        }

        return BatchOutcome.Read(result, records, _source.ReportBatchItemFailures, Queue.Fifo);
    }

    private void Record(BatchOutcome outcome, int batchSize)
    {
        switch (outcome.Kind)
        {
            case BatchOutcomeKind.FunctionError:
                Interlocked.Increment(ref _counts.FunctionErrors);
                LogBatchFailed(FunctionLogicalId, Queue.QueueName, batchSize, outcome.Detail);
                break;
            case BatchOutcomeKind.MalformedResponse:
                Interlocked.Increment(ref _counts.FunctionErrors);
                Interlocked.Increment(ref _counts.MalformedResponses);
                LogMalformedResponse(FunctionLogicalId, Queue.QueueName, batchSize, outcome.Detail);
                break;
            case BatchOutcomeKind.PartialFailure:
                Interlocked.Add(ref _counts.Failed, outcome.FailedCount);
                LogPartialFailure(FunctionLogicalId, Queue.QueueName, outcome.FailedCount, batchSize);
                break;
            case BatchOutcomeKind.Succeeded:
                break;
        }
    }

    private Task DeleteAsync(List<Message> messages) => SendInChunksAsync(
        messages,
        async chunk =>
        {
            var response = await _sqs.DeleteMessageBatchAsync(
                new DeleteMessageBatchRequest
                {
                    QueueUrl = Queue.Url,
                    Entries = [.. chunk.Select((m, i) => new DeleteMessageBatchRequestEntry { Id = Id(i), ReceiptHandle = m.ReceiptHandle })],
                },
                _abandon.Token);
            Interlocked.Add(ref _counts.Deleted, response.Successful?.Count ?? 0);
            return response.Failed;
        },
        failures => Interlocked.Add(ref _counts.DeleteFailures, failures),
        (messageIds, error) => LogDeleteFailed(FunctionLogicalId, Queue.QueueName, messageIds, error));

    private Task ChangeVisibilityAsync(List<Message> messages, TimeSpan visibility)
    {
        var seconds = (int)Math.Clamp(Math.Ceiling(visibility.TotalSeconds), 0, 43_200);
        return SendInChunksAsync(
            messages,
            async chunk =>
            {
                var response = await _sqs.ChangeMessageVisibilityBatchAsync(
                    new ChangeMessageVisibilityBatchRequest
                    {
                        QueueUrl = Queue.Url,
                        Entries = [.. chunk.Select((m, i) => new ChangeMessageVisibilityBatchRequestEntry { Id = Id(i), ReceiptHandle = m.ReceiptHandle, VisibilityTimeout = seconds })],
                    },
                    _abandon.Token);
                return response.Failed;
            },
            failures => Interlocked.Add(ref _counts.VisibilityChangeFailures, failures),
            (messageIds, error) => LogVisibilityChangeFailed(FunctionLogicalId, Queue.QueueName, messageIds, error));
    }

    /// <summary>
    /// One SQS batch call per <see cref="SqsBatchLimit"/> messages (<paramref name="send"/> returns the entries SQS
    /// refused); each refused entry, or the whole chunk when the call fails, is counted and logged.
    /// </summary>
    private async Task SendInChunksAsync(
        List<Message> messages,
        Func<Message[], Task<List<BatchResultErrorEntry>?>> send,
        Action<int> countFailures,
        Action<string, string> logFailure)
    {
        foreach (var chunk in messages.Chunk(SqsBatchLimit))
        {
            try
            {
                foreach (var failure in await send(chunk) ?? [])
                {
                    countFailures(1);
                    logFailure(chunk[int.Parse(failure.Id, CultureInfo.InvariantCulture)].MessageId, $"{failure.Code}: {failure.Message}");
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !_abandon.IsCancellationRequested)
            {
                // Boundary: nothing is lost, SQS keeps the messages (not deleted, they are delivered again; their
                // visibility not changed, they come back after the queue's visibility timeout); said and counted.
                countFailures(chunk.Length);
                logFailure(string.Join(", ", chunk.Select(m => m.MessageId)), ex.Message);
            }
        }
    }

    private static string Id(int index) => index.ToString(CultureInfo.InvariantCulture);

    [LoggerMessage(Level = LogLevel.Information, Message = "SQS event source {Function} <- {Queue}: {Pollers} poller(s), batch size {BatchSize}, window {Window} s, ReportBatchItemFailures {ReportBatchItemFailures}")]
    private partial void LogStarted(string function, string queue, int pollers, int batchSize, int window, bool reportBatchItemFailures);

    [LoggerMessage(Level = LogLevel.Information, Message = "SQS event source {Function} ({Event}) <- {Queue} is disabled (Enabled: false); not polling")]
    private partial void LogDisabled(string function, string @event, string queue);

    [LoggerMessage(Level = LogLevel.Warning, Message = "SQS event source {Function} ({Event}): MaximumBatchingWindowInSeconds {Window} ignored, FIFO queues have no batching window")]
    private partial void LogFifoWindowIgnored(string function, string @event, int window);

    [LoggerMessage(Level = LogLevel.Warning, Message = "SQS event source {Function} <- {Queue}: ReceiveMessage failed, retrying in {DelayMs} ms: {Error}")]
    private partial void LogReceiveFailed(string function, string queue, double delayMs, string error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "SQS event source {Function} <- {Queue}: the invocation failed ({Error}); the {Count} message(s) of the batch stay in the queue")]
    private partial void LogBatchFailed(string function, string queue, int count, string? error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "SQS event source {Function} <- {Queue}: invoking threw ({Error}); the {Count} message(s) of the batch stay in the queue")]
    private partial void LogInvokeThrew(string function, string queue, int count, string error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "SQS event source {Function} <- {Queue}: malformed batch response ({Detail}); the whole batch of {Count} failed, as Lambda treats it")]
    private partial void LogMalformedResponse(string function, string queue, int count, string? detail);

    [LoggerMessage(Level = LogLevel.Information, Message = "SQS event source {Function} <- {Queue}: {Failed} of {Count} message(s) reported failed; they stay in the queue")]
    private partial void LogPartialFailure(string function, string queue, int failed, int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "SQS event source {Function} <- {Queue}: could not delete {MessageIds} ({Error}); it will be delivered again")]
    private partial void LogDeleteFailed(string function, string queue, string messageIds, string error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "SQS event source {Function} <- {Queue}: could not change the visibility of {MessageIds} ({Error})")]
    private partial void LogVisibilityChangeFailed(string function, string queue, string messageIds, string error);
}
