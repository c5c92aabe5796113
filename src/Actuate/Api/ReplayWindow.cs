namespace Queueing.Actuate.Api;

/// <summary>
/// How far a request's signed timestamp may lie behind or ahead of this function's clock. The window is derived,
/// not chosen: an identical signed request replayed at any time must be the same command (SQS FIFO drops it as a
/// duplicate) or a 401, never a second delivery. SQS remembers a deduplication id for
/// <see cref="DeduplicationInterval"/> from the first send, and that first send happened at the earliest
/// <see cref="MaxAhead"/> before the signed time; a replay's send happens at the latest <see cref="EnqueueBound"/>
/// after its check. So a replay is accepted only while <c>age + MaxAhead + EnqueueBound &lt; 5 min</c>.
/// </summary>
internal sealed record ReplayWindow
{
    /// <summary>SQS FIFO's deduplication interval (fixed by SQS, not configurable).</summary>
    public static readonly TimeSpan DeduplicationInterval = TimeSpan.FromMinutes(5);

    /// <summary>The longest an accepted request may spend enqueueing after its timestamp was checked.</summary>
    public static readonly TimeSpan EnqueueBound = TimeSpan.FromSeconds(20);

    /// <summary>The most a caller's clock may be ahead (the <c>COMMAND_CLOCK_SKEW_SECONDS</c> setting's ceiling).</summary>
    public static readonly TimeSpan MaxAheadLimit = TimeSpan.FromSeconds(60);

    public static readonly ReplayWindow Default = ForClockSkew(MaxAheadLimit);

    private ReplayWindow(TimeSpan maxAhead)
    {
        MaxAhead = maxAhead;
        // Strictly inside the interval: one second less than the bound allows.
        MaxAge = DeduplicationInterval - maxAhead - EnqueueBound - TimeSpan.FromSeconds(1);
    }

    /// <summary>The most a signed timestamp may be ahead of this clock.</summary>
    public TimeSpan MaxAhead { get; }

    /// <summary>The most a signed timestamp may be behind this clock (derived from <see cref="MaxAhead"/>).</summary>
    public TimeSpan MaxAge { get; }

    public static ReplayWindow ForClockSkew(TimeSpan maxAhead)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxAhead, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(maxAhead, MaxAheadLimit);
        return new ReplayWindow(maxAhead);
    }
}
