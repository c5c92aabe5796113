using Queueing.Emulators.Lambda;

namespace Queueing.Local.Up;

/// <summary>A function's invocations and errors as <c>up</c> shows them, counted around its invoker.</summary>
internal sealed class FunctionStats
{
    private long _invocations;
    private long _errors;
    private string? _lastError;

    public FunctionStats(string logicalId) => LogicalId = logicalId;

    public string LogicalId { get; }

    public long Invocations => Interlocked.Read(ref _invocations);

    /// <summary>Errors of every kind: function errors, timeouts, init errors, process exits, oversized responses.</summary>
    public long Errors => Interlocked.Read(ref _errors);

    public string? LastError => Volatile.Read(ref _lastError);

    /// <summary>The invoker with counting (and an optional look at each result) around it.</summary>
    public Func<ReadOnlyMemory<byte>, CancellationToken, Task<InvocationResult>> Wrap(
        Func<ReadOnlyMemory<byte>, CancellationToken, Task<InvocationResult>> invoke,
        Action<InvocationResult>? observe = null) =>
        async (payload, cancellationToken) =>
        {
            var result = await invoke(payload, cancellationToken);
            Interlocked.Increment(ref _invocations);
            if (result.IsError)
            {
                Interlocked.Increment(ref _errors);

                Volatile.Write(ref _lastError, $"{result.ErrorType}: {RuntimeErrorDocument.Message(result.Payload)}");
            }

            observe?.Invoke(result);
            return result;
        };
}
