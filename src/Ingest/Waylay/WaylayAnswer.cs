namespace Queueing.Ingest.Waylay;

/// <summary>What an answer from the broker means for the events in the request.</summary>
public enum WaylayAnswerKind
{
    /// <summary>2xx: the broker took every event.</summary>
    Delivered,
    /// <summary>400/413/422: the broker refused the content; narrow it down and park the culprits.</summary>
    Rejected,
    /// <summary>401/403: the credentials are wrong (or were rotated): re-read them once.</summary>
    Unauthorized,
    /// <summary>408/429/5xx, network errors, timeouts, an open circuit, the invocation budget: try again later.</summary>
    Transient,
    /// <summary>Any other answer (404, 405, 3xx...) or unreadable credentials: a configuration fault, not the data's.</summary>
    Misconfigured,
}

/// <summary>The classified outcome of one <c>POST /data/v1/events</c> (after Polly's retries).</summary>
internal sealed record WaylayAnswer(WaylayAnswerKind Kind, int? StatusCode, string Error, int Retries = 0)
{
    public static WaylayAnswer FromStatus(int statusCode, string error, int retries = 0) =>
        new(Classify(statusCode), statusCode, error, retries);

    public static WaylayAnswerKind Classify(int statusCode) => statusCode switch
    {
        >= 200 and <= 299 => WaylayAnswerKind.Delivered,
        400 or 413 or 422 => WaylayAnswerKind.Rejected,
        401 or 403 => WaylayAnswerKind.Unauthorized,
        _ when IsTransient(statusCode) => WaylayAnswerKind.Transient,
        _ => WaylayAnswerKind.Misconfigured,
    };

    /// <summary>Worth retrying: the broker (or something before it) is busy or failing, not refusing the data.</summary>
    public static bool IsTransient(int statusCode) => statusCode is 408 or 429 or (>= 500 and <= 599);

    /// <summary>
    /// Counts against the circuit breaker: the broker looks unhealthy. 429 does not: a throttling broker is alive
    /// and says when to come back (Retry-After).
    /// </summary>
    public static bool IsBrokerFailure(int statusCode) => statusCode is 408 or (>= 500 and <= 599);
}
