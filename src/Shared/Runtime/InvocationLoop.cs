using Microsoft.Extensions.Logging;
using Queueing.Shared.Logging;

namespace Queueing.Shared.Runtime;

/// <summary>The invocation loop: next -> invoke -> response or error, until shutdown. Ours, not aws-lambda-dotnet's
/// <c>LambdaBootstrap</c> (hence the name): one <see cref="IFunctionHandler"/>, one <see cref="IRuntimeApi"/>.</summary>
internal sealed partial class InvocationLoop(
    IRuntimeApi client,
    IFunctionHandler handler,
    string functionName,
    TimeProvider time,
    ILogger logger,
    JsonLogWriter metricsOutput)
{
    public async Task RunAsync(CancellationToken shutdown)
    {
        // Read once: the level is fixed for the life of the process (LOG_LEVEL at init).
        var accounting = logger.IsEnabled(LogLevel.Debug);
        while (!shutdown.IsCancellationRequested)
        {
            // From asking for the event (reading it is part of its cost) to posting its outcome.
            var before = accounting ? ProcessCounters.Read() : default;
            Invocation invocation;
            try
            {
                invocation = await client.NextAsync(shutdown);
            }
            catch (OperationCanceledException) when (shutdown.IsCancellationRequested)
            {
                return;
            }

            await InvokeOnceAsync(invocation, shutdown);
            if (accounting)
            {
                LogCost(invocation.RequestId, ProcessCounters.Read().Since(before));
            }
        }
    }

    private void LogCost(string requestId, ProcessCounters cost) =>
        LogInvocationCost(requestId, cost.AllocatedBytes, cost.Gen0Collections, cost.Gen1Collections, cost.Gen2Collections,
            Math.Round(cost.GcPause.TotalMilliseconds, 3), Math.Round(cost.Cpu.TotalMilliseconds, 3));

    internal async Task InvokeOnceAsync(Invocation invocation, CancellationToken shutdown)
    {
        var context = new InvocationContext(invocation, functionName, time, metricsOutput);
        InvocationContext.CurrentHolder.Value = context;
        // The X-Ray SDK and downstream clients read the trace header from this variable, as in the managed runtimes.
        Environment.SetEnvironmentVariable("_X_AMZN_TRACE_ID", invocation.TraceId);
        try
        {
            byte[] response;
            try
            {
                response = await context.InvokeAsync(handler, invocation.Payload, shutdown);
            }
            // Boundary: whatever the handler throws becomes a function error and the loop serves the next event.
            catch (Exception ex)
            {
                LogHandlerFailed(ex, ex.GetType().Name);
                await ReportAsync(invocation.RequestId, client => client.SendErrorAsync(invocation.RequestId, RuntimeError.From(ex), CancellationToken.None));
                return;
            }

            await ReportAsync(invocation.RequestId, client => client.SendResponseAsync(invocation.RequestId, response, CancellationToken.None));
        }
        finally
        {
            InvocationContext.CurrentHolder.Value = null;
        }
    }

    // The outcome is posted even when shutdown was requested meanwhile: the work is done and Lambda should know.
    // A refused post (413 for a response over the payload limit, 400 for an expired request id) is Lambda's
    // verdict on this one invocation; the loop logs it and serves the next event instead of crashing the process.
    private async Task ReportAsync(string requestId, Func<IRuntimeApi, Task> post)
    {
        try
        {
            await post(client);
        }
        catch (HttpRequestException ex)
        {
            LogReportFailed(ex, requestId, ex.Message);
        }
    }

    // One line per invocation at Debug: what the process spent on it, from its own counters. Cheap (no precise
    // allocation count, one getrusage); an operator's view of allocation and GC per event, and what the AOT
    // benchmark (bench/Queueing.AotBench) reads. Collection counts are GC.CollectionCount deltas, so gen0 counts
    // every collection and gen1 includes the gen2 ones.
    [LoggerMessage(Level = LogLevel.Debug, Message = "Invocation {InvocationRequestId} cost {AllocatedBytes} bytes allocated, " +
        "{Gen0Collections}/{Gen1Collections}/{Gen2Collections} collections (gen0/1/2), {GcPauseMs} ms GC pause, {CpuMs} ms CPU")]
    private partial void LogInvocationCost(string invocationRequestId, long allocatedBytes, int gen0Collections, int gen1Collections,
        int gen2Collections, double gcPauseMs, double cpuMs);

    [LoggerMessage(Level = LogLevel.Error, Message = "Handler failed with {ErrorType}")]
    private partial void LogHandlerFailed(Exception exception, string errorType);

    [LoggerMessage(Level = LogLevel.Error, Message = "The Runtime API refused the outcome of {InvocationRequestId}: {Reason}")]
    private partial void LogReportFailed(Exception exception, string invocationRequestId, string reason);

    /// <summary>The process-wide counters an invocation's cost is the difference of.</summary>
    private readonly record struct ProcessCounters(long AllocatedBytes, int Gen0Collections, int Gen1Collections, int Gen2Collections, TimeSpan GcPause, TimeSpan Cpu)
    {
        public static ProcessCounters Read()
        {
            var cpu = Environment.CpuUsage;
            return new ProcessCounters(
                GC.GetTotalAllocatedBytes(precise: false),
                GC.CollectionCount(0),
                GC.CollectionCount(1),
                GC.CollectionCount(2),
                GC.GetTotalPauseDuration(),
                cpu.UserTime + cpu.PrivilegedTime);
        }

        public ProcessCounters Since(ProcessCounters before) => new(
            AllocatedBytes - before.AllocatedBytes,
            Gen0Collections - before.Gen0Collections,
            Gen1Collections - before.Gen1Collections,
            Gen2Collections - before.Gen2Collections,
            GcPause - before.GcPause,
            Cpu - before.Cpu);
    }
}
