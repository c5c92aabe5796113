namespace Queueing.Ingest.Waylay;

/// <summary>
/// How long to wait before the next attempt: the broker's <c>Retry-After</c> (delta seconds or an HTTP-date)
/// when it sent one, else exponential backoff (base * 2^attempt, capped) with "equal jitter" (a random point in
/// the upper half), so concurrent functions do not retry in lock-step.
/// </summary>
internal sealed class RetryDelay
{
    private readonly TimeSpan _baseDelay;
    private readonly TimeSpan _maxDelay;
    private readonly Func<double> _random;
    private readonly TimeProvider _time;

    public RetryDelay(TimeSpan baseDelay, TimeSpan maxDelay, Func<double> random, TimeProvider time)
    {
        _baseDelay = baseDelay;
        _maxDelay = maxDelay;
        _random = random;
        _time = time;
    }

    /// <param name="response">The failed attempt's response, or null after an exception.</param>
    /// <param name="attempt">Zero-based number of the attempt that failed.</param>
    public (TimeSpan Delay, bool FromRetryAfter) Next(HttpResponseMessage? response, int attempt)
    {
        if (response?.Headers.RetryAfter is { } retryAfter)
        {
            if (retryAfter.Delta is { } delta)
            {
                return (delta > TimeSpan.Zero ? delta : TimeSpan.Zero, true);
            }

            if (retryAfter.Date is { } date)
            {
                var wait = date - _time.GetUtcNow();
                return (wait > TimeSpan.Zero ? wait : TimeSpan.Zero, true);
            }
        }

        var exponential = _baseDelay.TotalMilliseconds * Math.Pow(2, Math.Min(attempt, 30));
        var capped = Math.Min(exponential, _maxDelay.TotalMilliseconds);
        var jittered = capped / 2 + capped / 2 * Math.Clamp(_random(), 0, 1);
        return (TimeSpan.FromMilliseconds(jittered), false);
    }
}
