namespace Queueing.Emulators.Lambda;

public enum InvocationOutcome
{
    /// <summary>The function posted a response.</summary>
    Response,

    /// <summary>The function posted an error (a handler exception).</summary>
    FunctionError,

    /// <summary>The function ran past its Timeout; the instance was killed.</summary>
    Timeout,

    /// <summary>The init phase failed (init/error posted, process exited or init timed out).</summary>
    InitError,

    /// <summary>The process exited while serving the invocation.</summary>
    RuntimeExit,

    /// <summary>The response was larger than Lambda accepts.</summary>
    ResponseTooLarge,
}

/// <summary>
/// What an invoke returned: the payload Lambda's Invoke API would return (the response, or the error document),
/// and for errors the error type as in the <c>X-Amz-Function-Error</c> detail.
/// </summary>
public sealed record InvocationResult(
    string RequestId,
    InvocationOutcome Outcome,
    byte[] Payload,
    string? ErrorType,
    TimeSpan Duration,
    TimeSpan? InitDuration,
    int InstanceId)
{
    public bool IsError => Outcome != InvocationOutcome.Response;

    /// <summary>The last lines the instance wrote (stdout and stderr), kept for init failures.</summary>
    public string? RecentOutput { get; init; }
}
