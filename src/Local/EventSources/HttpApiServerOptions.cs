using Queueing.Emulators.Hosting;

namespace Queueing.Local.EventSources;

internal sealed record HttpApiServerOptions
{
    /// <summary>The loopback port to listen on; 0 takes a free one.</summary>
    public int Port { get; init; }
    public string Region { get; init; } = "us-east-1";
    public string ApiId { get; init; } = "local00api";
    public string AccountId { get; init; } = "123456789012";

    /// <summary>HTTP API's payload quota (10 MB); a larger request body is answered 413.</summary>
    public long MaxRequestBodyBytes { get; init; } = 10 * 1024 * 1024;
}

/// <summary>
/// What the local HTTP API has answered. <c>FunctionErrors</c>: the invoke failed (handler error, init error, runtime
/// exit, Lambda's own timeout, response too large); <c>Timeouts</c>: the integration timeout passed first (503);
/// <c>Unmatched</c>: no route and no <c>$default</c> (404).
/// </summary>
internal sealed record HttpApiCounters : CounterSet<HttpApiCounters>
{
    public long Requests;
    public long Responses2xx;
    public long Responses4xx;
    public long Responses5xx;
    public long FunctionErrors;
    public long Timeouts;
    public long Unmatched;
}
