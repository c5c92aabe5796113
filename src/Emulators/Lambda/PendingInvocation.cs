namespace Queueing.Local.Lambda;

/// <summary>An event handed (or about to be handed) to a sandbox's runtime, and how it ended.</summary>
internal sealed class PendingInvocation
{
    private readonly TaskCompletionSource<Completion> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public PendingInvocation(string requestId, ReadOnlyMemory<byte> payload, DateTimeOffset deadline, string functionArn, string traceId)
    {
        RequestId = requestId;
        Payload = payload;
        Deadline = deadline;
        FunctionArn = functionArn;
        TraceId = traceId;
    }

    public string RequestId { get; }
    public ReadOnlyMemory<byte> Payload { get; }
    public DateTimeOffset Deadline { get; }
    public string FunctionArn { get; }
    public string TraceId { get; }

    /// <summary>Set once the runtime received the event through <c>next</c>.</summary>
    public bool Dispatched { get; set; }

    public Task<Completion> Completed => _completion.Task;

    public bool IsCompleted => _completion.Task.IsCompleted;

    public bool TryComplete(InvocationOutcome outcome, byte[] payload, string? errorType) =>
        _completion.TrySetResult(new Completion(outcome, payload, errorType));

    public sealed record Completion(InvocationOutcome Outcome, byte[] Payload, string? ErrorType);
}
