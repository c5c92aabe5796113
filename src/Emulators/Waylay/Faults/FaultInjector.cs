namespace Queueing.Emulators.Waylay.Faults;

/// <summary>What the broker does with one request before handling it.</summary>
internal enum FaultKind
{
    None,
    InternalServerError,
    ServiceUnavailable,
    Throttled,
}

/// <summary>One request's fate: the delay to add and the fault, if any.</summary>
internal readonly record struct FaultDecision(TimeSpan Delay, FaultKind Kind);

/// <summary>
/// Draws each request's fault from one seeded sequence. Three draws per request, always in the same order
/// (latency, fault, which 5xx), so a seed reproduces the same faults for the same request order.
/// </summary>
internal sealed class FaultInjector
{
    private readonly WaylayFaultOptions _options;
    private readonly Random _random;
    private readonly Lock _gate = new();

    public FaultInjector(WaylayFaultOptions options)
    {
        var problems = options.Validate();
        if (problems.Count > 0)
        {
            throw new ArgumentException(string.Join(" ", problems), nameof(options));
        }

        _options = options;
        _random = options.Seed is { } seed ? new Random(seed) : new Random();
    }

    public FaultDecision Next()
    {
        double latencyDraw, faultDraw, kindDraw;
        lock (_gate)
        {
            latencyDraw = _random.NextDouble();
            faultDraw = _random.NextDouble();
            kindDraw = _random.NextDouble();
        }

        var latency = _options.Latency;
        var delay = latency.Min + (latency.Max - latency.Min) * latencyDraw;
        var kind = faultDraw < _options.FailRate
            ? kindDraw < 0.5 ? FaultKind.InternalServerError : FaultKind.ServiceUnavailable
            : faultDraw < _options.FailRate + _options.ThrottleRate
                ? FaultKind.Throttled
                : FaultKind.None;
        return new FaultDecision(delay, kind);
    }
}
