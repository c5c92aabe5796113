using Queueing.Shared.Logging;
using Queueing.Shared.Metrics;

namespace Queueing.Shared.Runtime;

/// <summary>What a handler knows about the invocation it serves, and the invocation's one set of metrics.</summary>
public sealed class InvocationContext
{
    private readonly TimeProvider _time;

    /// <param name="metricsOutput">Where this invocation's EMF lines go (stdout), flushed once by <see cref="InvokeAsync"/>.</param>
    public InvocationContext(Invocation invocation, string functionName, TimeProvider time, JsonLogWriter metricsOutput)
    {
        Metrics = new EmbeddedMetrics(metricsOutput, time, functionName);
        RequestId = invocation.RequestId;
        Deadline = invocation.Deadline;
        FunctionArn = invocation.FunctionArn;
        TraceId = invocation.TraceId;
        XRayTraceId = RootOf(invocation.TraceId);
        FunctionName = functionName;
        _time = time;
    }

    public string RequestId { get; }
    public DateTimeOffset Deadline { get; }
    public string FunctionArn { get; }
    /// <summary>The invocation's X-Ray trace header (<c>Lambda-Runtime-Trace-Id</c>: <c>Root=...;Parent=...;Sampled=...</c>).</summary>
    public string? TraceId { get; }

    /// <summary>
    /// The trace's id, the header's <c>Root</c> (<c>1-5759e988-bd862e3fe1be46a994272793</c>): the same on every hop
    /// of a message, what X-Ray's console opens, and what log lines carry as <c>xray_trace_id</c> (Powertools' key).
    /// </summary>
    public string? XRayTraceId { get; }

    public string FunctionName { get; }

    /// <summary>This invocation's metrics: created with the context, flushed once after the handler returns or throws.</summary>
    public EmbeddedMetrics Metrics { get; }

    /// <summary>
    /// Runs <paramref name="handler"/> for this invocation, then flushes <see cref="Metrics"/> whether it returned
    /// or threw. The runtime loop invokes every handler this way (and so may a test that plays the loop).
    /// </summary>
    public async Task<byte[]> InvokeAsync(IFunctionHandler handler, ReadOnlyMemory<byte> payload, CancellationToken cancellationToken)
    {
        try
        {
            return await handler.InvokeAsync(payload, this, cancellationToken);
        }
        finally
        {
            Metrics.Flush();
        }
    }

    public TimeSpan RemainingTime
    {
        get
        {
            var left = Deadline - _time.GetUtcNow();
            return left > TimeSpan.Zero ? left : TimeSpan.Zero;
        }
    }

    /// <summary>
    /// A token that fires <paramref name="safetyMargin"/> before the deadline (or on shutdown), so a handler
    /// stops its own work in time to report what it did instead of being killed mid-batch.
    /// </summary>
    public CancellationTokenSource CreateBudget(TimeSpan safetyMargin, CancellationToken shutdown)
    {
        // Clamped to what a timer can hold (~49 days); a Lambda deadline is at most 15 minutes away anyway.
        var budget = TimeSpan.FromMilliseconds(Math.Min((RemainingTime - safetyMargin).TotalMilliseconds, uint.MaxValue - 1.0));
        // The timer runs on the injected TimeProvider (not CancelAfter's system clock), so the budget follows the
        // same clock as RemainingTime and tests can move it with FakeTimeProvider.
        return new BudgetSource(budget > TimeSpan.Zero ? budget : TimeSpan.Zero, _time, shutdown);
    }

    private sealed class BudgetSource : CancellationTokenSource
    {
        private readonly CancellationTokenRegistration _shutdown;

        public BudgetSource(TimeSpan delay, TimeProvider time, CancellationToken shutdown)
            : base(delay, time) =>
            _shutdown = shutdown.UnsafeRegister(static state => ((BudgetSource)state!).Cancel(), this);

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                // Unregister first: the shutdown token lives as long as the process and must not collect one
                // callback per invocation.
                _shutdown.Dispose();
            }

            base.Dispose(disposing);
        }
    }

    /// <summary>The <c>Root</c> field of an X-Ray trace header; null when there is none.</summary>
    internal static string? RootOf(string? header)
    {
        if (string.IsNullOrEmpty(header))
        {
            return null;
        }

        foreach (var range in header.AsSpan().Split(';'))
        {
            var field = header.AsSpan(range).Trim();
            if (field.StartsWith("Root=", StringComparison.Ordinal) && field.Length > 5)
            {
                return field[5..].ToString();
            }
        }

        return null;
    }

    /// <summary>The invocation running on this async flow (log lines carry its request and trace ids).</summary>
    public static InvocationContext? Current => CurrentHolder.Value;

    internal static readonly AsyncLocal<InvocationContext?> CurrentHolder = new();
}
