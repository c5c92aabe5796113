namespace Queueing.Ingest.Waylay;

/// <summary>
/// Tuning of the broker calls. The defaults are production values (reasons beside each); tests shorten them.
/// </summary>
internal sealed record WaylayResilienceOptions
{
    /// <summary>Per attempt (WAYLAY_REQUEST_TIMEOUT_MS): one slow answer must not eat the whole invocation.</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Upper bound only: the invocation budget usually stops retrying first.</summary>
    public int MaxRetryAttempts { get; init; } = 5;

    public TimeSpan BaseDelay { get; init; } = TimeSpan.FromMilliseconds(200);

    /// <summary>Cap of the computed backoff (a Retry-After is honoured as sent, bounded by the budget).</summary>
    public TimeSpan MaxDelay { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Break when half the attempts in the sampling window fail...</summary>
    public double FailureRatio { get; init; } = 0.5;

    /// <summary>...and there were at least this many (about two invocations' worth of failed retries).</summary>
    public int MinimumThroughput { get; init; } = 10;

    public TimeSpan SamplingDuration { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>How long a dead broker is not called at all; then one probe request decides.</summary>
    public TimeSpan BreakDuration { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>Source of jitter in [0, 1); tests pin it.</summary>
    public Func<double> Random { get; init; } = System.Random.Shared.NextDouble;
}
