namespace Queueing.Emulators.Lambda;

/// <summary>An event handed (or about to be handed) to a sandbox's runtime, and how it ended.</summary>
internal sealed class PendingInvocation(string requestId, ReadOnlyMemory<byte> payload, DateTimeOffset deadline, string functionArn, string traceId)
{
    private readonly TaskCompletionSource<Completion> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public string RequestId { get; } = requestId;
    public ReadOnlyMemory<byte> Payload { get; } = payload;
    public DateTimeOffset Deadline { get; } = deadline;
    public string FunctionArn { get; } = functionArn;
    public string TraceId { get; } = traceId;

    /// <summary>Set once the runtime received the event through <c>next</c>.</summary>
    public bool Dispatched { get; set; }

    public Task<Completion> Completed => _completion.Task;

    public bool IsCompleted => _completion.Task.IsCompleted;

    public bool TryComplete(InvocationOutcome outcome, byte[] payload, string? errorType) =>
        _completion.TrySetResult(new Completion(outcome, payload, errorType));

    public sealed record Completion(InvocationOutcome Outcome, byte[] Payload, string? ErrorType);
}
