namespace Queueing.Shared.Runtime;

/// <summary>One event handed out by the Runtime API's <c>next</c> call.</summary>
public sealed record Invocation(
    string RequestId,
    DateTimeOffset Deadline,
    string FunctionArn,
    string? TraceId,
    string? ClientContext,
    string? CognitoIdentity,
    byte[] Payload);
