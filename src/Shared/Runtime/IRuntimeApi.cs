namespace Queueing.Shared.Runtime;

/// <summary>The Lambda Runtime API (2018-06-01), as seen from inside a function's process (a fake in tests).</summary>
internal interface IRuntimeApi
{
    /// <summary>Long-polls for the next event. Never times out: Lambda freezes the process while it waits.</summary>
    Task<Invocation> NextAsync(CancellationToken cancellationToken);
    Task SendResponseAsync(string requestId, byte[] response, CancellationToken cancellationToken);
    Task SendErrorAsync(string requestId, RuntimeError error, CancellationToken cancellationToken);
    Task SendInitErrorAsync(RuntimeError error, CancellationToken cancellationToken);
}
