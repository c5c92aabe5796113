using System.Diagnostics;
using System.Globalization;
using Queueing.Emulators.Template;

namespace Queueing.Emulators.Lambda;

/// <summary>
/// One execution environment of a function: a sandbox (its Runtime API endpoint) and the process serving it.
/// The process starts on the first invoke (cold start) and stays warm; a timeout or a crash kills it and the next
/// invoke starts a fresh one, as Lambda replaces a failed environment. One invocation at a time.
/// </summary>
public sealed class FunctionInstance(FunctionDefinition function, FunctionLaunch launch, RuntimeApiSandbox sandbox, FunctionOutput output, TimeProvider time, TimeSpan initTimeout) : IAsyncDisposable
{
    /// <summary>Lambda's limit for the init phase of an on-demand function.</summary>
    public static readonly TimeSpan DefaultInitTimeout = TimeSpan.FromSeconds(10);

    private static readonly TimeSpan ShutdownGrace = TimeSpan.FromSeconds(2);
    private readonly FunctionDefinition _function = function;
    private readonly FunctionLaunch _launch = launch;
    private readonly RuntimeApiSandbox _sandbox = sandbox;
    private readonly FunctionOutput _output = output;
    private readonly TimeProvider _time = time;
    private readonly TimeSpan _initTimeout = initTimeout;
    private readonly SemaphoreSlim _busy = new(1, 1);
    private FunctionProcess? _process;

    public int Id => _sandbox.Id;

    /// <summary>The log prefix: the logical id, with the instance number after the first.</summary>
    public string Source { get; } = sandbox.Id == 1 ? function.LogicalId : $"{function.LogicalId}#{sandbox.Id}";

    /// <summary>How many processes this instance has started (1 + restarts).</summary>
    public int Starts { get; private set; }

    public int? ProcessId => _process is { HasExited: false } p ? p.ProcessId : null;

    /// <summary>Starts the process if none is running; null when it is ready, else the failed init's result.</summary>
    public async Task<InvocationResult?> WarmUpAsync(CancellationToken cancellationToken)
    {
        await _busy.WaitAsync(cancellationToken);
        try
        {
            var (failure, _) = await EnsureStartedAsync(Guid.NewGuid().ToString(), cancellationToken);
            return failure;
        }
        finally
        {
            _busy.Release();
        }
    }

    public Task<InvocationResult> InvokeAsync(ReadOnlyMemory<byte> payload, CancellationToken cancellationToken) =>
        InvokeAsync(payload, traceHeader: null, cancellationToken);

    /// <param name="traceHeader">The trace the event source passes (an SQS record's <c>AWSTraceHeader</c>): the
    /// invocation's <c>Lambda-Runtime-Trace-Id</c> joins it. Null: the invocation starts a new trace.</param>
    public async Task<InvocationResult> InvokeAsync(ReadOnlyMemory<byte> payload, string? traceHeader, CancellationToken cancellationToken)
    {
        await _busy.WaitAsync(cancellationToken);
        try
        {
            var requestId = Guid.NewGuid().ToString();
            var (failure, initDuration) = await EnsureStartedAsync(requestId, cancellationToken);
            if (failure is not null)
            {
                return failure;
            }

            return await RunAsync(requestId, payload, traceHeader, initDuration, cancellationToken);
        }
        finally
        {
            _busy.Release();
        }
    }

    private async Task<(InvocationResult? Failure, TimeSpan? InitDuration)> EnsureStartedAsync(string requestId, CancellationToken cancellationToken)
    {
        if (_process is { HasExited: false })
        {
            return (null, null);
        }

        _process?.Dispose();
        _sandbox.Reset();
        var started = Stopwatch.GetTimestamp();
        try
        {
            _process = FunctionProcess.Start(_launch, _sandbox.Address, _output, Source);
        }
        catch (Exception ex) when (ex is System.ComponentModel.Win32Exception or InvalidOperationException)
        {
            _process = null;
            return (Failed(requestId, InvocationOutcome.InitError, "Runtime.InvalidEntrypoint",
                $"Cannot start {_launch.FileName}: {ex.Message}", Stopwatch.GetElapsedTime(started), null), null);
        }

        Starts++;
        var process = _process;
        using var initTimer = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var timeout = Task.Delay(_initTimeout, _time, initTimer.Token);
        await Task.WhenAny(_sandbox.InitCompleted, process.Exited, timeout);
        await initTimer.CancelAsync();
        cancellationToken.ThrowIfCancellationRequested();
        var elapsed = Stopwatch.GetElapsedTime(started);

        InvocationResult failure;
        // The runtime's own report comes first: it posts init/error before it exits.
        if (_sandbox.InitCompleted.IsCompleted)
        {
            var document = await _sandbox.InitCompleted;
            if (document is null)
            {
                return (null, elapsed);
            }

            // The runtime reported its init error and exits by itself; let it finish writing so the report has its last words.
            await WaitForExitOrStopAsync(process);
            failure = new InvocationResult(requestId, InvocationOutcome.InitError, document, ErrorType(document, "Runtime.InitError"), elapsed, elapsed, Id)
            {
                RecentOutput = process.RecentOutput,
            };
        }
        else if (process.HasExited)
        {
            failure = Failed(requestId, InvocationOutcome.InitError, "Runtime.ExitError",
                $"RequestId: {requestId} Error: Runtime exited without providing a reason ({process.ExitDescription}) during init", elapsed, process);
        }
        else
        {
            await StopAsync(process);
            failure = Failed(requestId, InvocationOutcome.InitError, "Sandbox.Timedout",
                $"RequestId: {requestId} Error: the init phase did not finish within {Seconds(_initTimeout)} seconds (the runtime never called next)", elapsed, process);
        }

        _process = null;
        process.Dispose();
        return (failure, null);
    }

    private async Task<InvocationResult> RunAsync(string requestId, ReadOnlyMemory<byte> payload, string? traceHeader, TimeSpan? initDuration, CancellationToken cancellationToken)
    {
        var process = _process!;
        var now = _time.GetUtcNow();
        var trace = traceHeader is null ? TraceIds.New(now) : TraceIds.Continue(traceHeader, now);
        var invocation = new PendingInvocation(requestId, payload, now + _function.Timeout, _function.Arn, trace);
        var started = Stopwatch.GetTimestamp();
        _sandbox.Dispatch(invocation);

        using var deadlineTimer = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var deadline = Task.Delay(_function.Timeout, _time, deadlineTimer.Token);
        Task first;
        try
        {
            first = await Task.WhenAny(invocation.Completed, process.Exited, deadline);
        }
        finally
        {
            await deadlineTimer.CancelAsync();
        }

        if (cancellationToken.IsCancellationRequested && !invocation.IsCompleted)
        {
            await StopAsync(process);
            cancellationToken.ThrowIfCancellationRequested();
        }

        var duration = Stopwatch.GetElapsedTime(started);
        if (first == invocation.Completed || invocation.IsCompleted)
        {
            var completion = await invocation.Completed;
            return new InvocationResult(requestId, completion.Outcome, completion.Payload, completion.ErrorType, duration, initDuration, Id);
        }

        if (first == process.Exited)
        {
            invocation.TryComplete(InvocationOutcome.RuntimeExit, [], "Runtime.ExitError");
            return Failed(requestId, InvocationOutcome.RuntimeExit, "Runtime.ExitError",
                $"RequestId: {requestId} Error: Runtime exited with error: {process.ExitDescription}", duration, process, initDuration);
        }

        // The deadline passed: Lambda stops the environment; the next invoke gets a fresh one.
        invocation.TryComplete(InvocationOutcome.Timeout, [], "Sandbox.Timedout");
        process.KillNow();
        await process.Exited;
        return Failed(requestId, InvocationOutcome.Timeout, "Sandbox.Timedout",
            $"RequestId: {requestId} Error: Task timed out after {Seconds(_function.Timeout)} seconds", duration, process, initDuration);
    }

    private InvocationResult Failed(string requestId, InvocationOutcome outcome, string errorType, string message, TimeSpan duration, FunctionProcess? process, TimeSpan? initDuration = null) =>
        new(requestId, outcome, RuntimeErrorDocument.Create(errorType, message), errorType, duration, initDuration, Id)
        {
            RecentOutput = process?.RecentOutput,
        };

    private static string ErrorType(byte[] document, string fallback)
    {
        try
        {
            return System.Text.Json.Nodes.JsonNode.Parse(document)?["errorType"]?.ToString() ?? fallback;
        }
        catch (System.Text.Json.JsonException)
        {
            return fallback;
        }
    }

    private static string Seconds(TimeSpan span) => span.TotalSeconds.ToString("0.00", CultureInfo.InvariantCulture);

    private static Task StopAsync(FunctionProcess process) => process.StopAsync(ShutdownGrace);

    private static async Task WaitForExitOrStopAsync(FunctionProcess process)
    {
        try
        {
            await process.Exited.WaitAsync(ShutdownGrace);
        }
        catch (TimeoutException)
        {
            await StopAsync(process);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_process is { } process)
        {
            await StopAsync(process);
            process.Dispose();
            _process = null;
        }

        _sandbox.Reset();
        _busy.Dispose();
    }
}
