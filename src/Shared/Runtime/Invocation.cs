namespace Queueing.Shared.Runtime;

/// <summary>
/// One event handed out by the Runtime API's <c>next</c> call. <see cref="Payload"/> is valid until the next call to
/// <c>next</c>: the client reads every event into the same memory.
/// </summary>
public sealed record Invocation(
    string RequestId,
    DateTimeOffset Deadline,
    string FunctionArn,
    string? TraceId,
    string? ClientContext,
    string? CognitoIdentity,
    ReadOnlyMemory<byte> Payload);
