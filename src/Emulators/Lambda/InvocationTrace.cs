namespace Queueing.Emulators.Lambda;

/// <summary>
/// The trace an event source passes with the invocation it is about to make (Lambda's SQS event source passes the
/// first record's <c>AWSTraceHeader</c>). Ambient on the async flow, so the sources' invoker delegates keep their
/// shape: <see cref="FunctionRuntime.InvokeAsync(ReadOnlyMemory{byte}, CancellationToken)"/> reads it, and the
/// function's <c>Lambda-Runtime-Trace-Id</c> joins that trace instead of starting a new one.
/// </summary>
public static class InvocationTrace
{
    private static readonly AsyncLocal<string?> Holder = new();

    /// <summary>The trace header passed on this flow, or null (the invocation starts its own trace).</summary>
    public static string? Current => Holder.Value;

    /// <summary>Passes <paramref name="traceHeader"/> to the invocations made on this flow until disposed.</summary>
    public static Scope Pass(string? traceHeader)
    {
        var previous = Holder.Value;
        Holder.Value = traceHeader;
        return new Scope(previous);
    }

    public readonly struct Scope : IDisposable
    {
        private readonly string? _previous;

        internal Scope(string? previous) => _previous = previous;

        public void Dispose() => Holder.Value = _previous;
    }
}
