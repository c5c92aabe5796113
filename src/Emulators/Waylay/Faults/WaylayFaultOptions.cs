namespace Queueing.Emulators.Waylay.Faults;

/// <summary>
/// What the sandbox's broker does wrong on purpose (the `up` flags <c>--waylay-fail-rate</c>,
/// <c>--waylay-throttle-rate</c>, <c>--waylay-latency</c>). Rates are fractions of requests in [0, 1] and together at
/// most 1. A faulted request is answered before it is processed: its events are neither stored nor forwarded, as
/// when a gateway in front of the broker refuses it, so a client that retries loses and duplicates nothing.
/// </summary>
public sealed record WaylayFaultOptions
{
    public static WaylayFaultOptions None { get; } = new();

    /// <summary>Fraction of requests answered 500 or 503 (half each, drawn from the same seeded sequence).</summary>
    public double FailRate { get; init; }

    /// <summary>Fraction of requests answered 429 with a <c>Retry-After</c> header.</summary>
    public double ThrottleRate { get; init; }

    /// <summary>Added before every answer (faulted or not); a range draws uniformly within it.</summary>
    public LatencyRange Latency { get; init; } = LatencyRange.Zero;

    /// <summary>The <c>Retry-After</c> value of a 429 (whole seconds, at least 1).</summary>
    public TimeSpan RetryAfter { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Seed of the random sequence; the same seed and request order give the same faults (tests).</summary>
    public int? Seed { get; init; }

    public bool IsActive => FailRate > 0 || ThrottleRate > 0 || Latency.Max > TimeSpan.Zero;

    /// <summary>Every problem with these options, empty when they are usable.</summary>
    public IReadOnlyList<string> Validate()
    {
        var problems = new List<string>();
        if (double.IsNaN(FailRate) || FailRate is < 0 or > 1)
        {
            problems.Add($"The Waylay fail rate must be between 0 and 1 (got {FailRate}).");
        }

        if (double.IsNaN(ThrottleRate) || ThrottleRate is < 0 or > 1)
        {
            problems.Add($"The Waylay throttle rate must be between 0 and 1 (got {ThrottleRate}).");
        }

        if (FailRate + ThrottleRate > 1)
        {
            problems.Add($"The Waylay fail rate and throttle rate add up to more than 1 ({FailRate} + {ThrottleRate}).");
        }

        if (RetryAfter < TimeSpan.FromSeconds(1))
        {
            problems.Add("Retry-After must be at least 1 second.");
        }

        return problems;
    }
}
