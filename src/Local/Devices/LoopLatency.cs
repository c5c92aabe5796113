using System.Globalization;

namespace Queueing.Local.Devices;

/// <summary>The loop latencies measured so far, as percentiles (nearest rank) and the maximum.</summary>
internal sealed record LoopLatency(int Count, TimeSpan P50, TimeSpan P95, TimeSpan Max)
{
    public static LoopLatency None { get; } = new(0, TimeSpan.Zero, TimeSpan.Zero, TimeSpan.Zero);

    public static LoopLatency Of(IEnumerable<TimeSpan> latencies)
    {
        var sorted = latencies.Order().ToArray();
        return sorted.Length == 0
            ? None
            : new LoopLatency(sorted.Length, Percentile(sorted, 50), Percentile(sorted, 95), sorted[^1]);
    }

    /// <summary><c>loop latency: p50 180 ms, p95 420 ms, max 610 ms (23 commands)</c>.</summary>
    public string Line => Count == 0
        ? "loop latency: no command answered a threshold crossing yet"
        : string.Create(CultureInfo.InvariantCulture,
            $"loop latency: p50 {Ms(P50)} ms, p95 {Ms(P95)} ms, max {Ms(Max)} ms ({Count} command{(Count == 1 ? string.Empty : "s")})");

    public static long Ms(TimeSpan value) => (long)Math.Round(value.TotalMilliseconds);

    /// <summary>The nearest-rank percentile: the smallest value at least <paramref name="percent"/> % of the values
    /// are less than or equal to.</summary>
    private static TimeSpan Percentile(TimeSpan[] sorted, int percent) =>
        sorted[Math.Max(0, (int)Math.Ceiling(percent / 100.0 * sorted.Length) - 1)];
}
