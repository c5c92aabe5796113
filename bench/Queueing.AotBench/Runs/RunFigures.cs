namespace Queueing.AotBench.Runs;

/// <summary>
/// One run (one fresh function process): its timed invocations, per item (record, command or request) and per
/// invocation. CPU is the process's user + system time from /proc over the timed invocations; allocation, collections
/// and pause are the sums of its own Debug cost lines; peak RSS is VmHWM at the end (warm-ups and init included).
/// </summary>
internal sealed record RunFigures
{
    public required int Run { get; init; }
    public required int Invocations { get; init; }
    public required long Items { get; init; }
    public required double WallSeconds { get; init; }
    public double ItemsPerSecond => Items / WallSeconds;
    public required double MedianInvocationMs { get; init; }

    /// <summary>/proc/PID/stat utime + stime over the timed invocations (10 ms ticks), per item.</summary>
    public required double CpuMicrosPerItem { get; init; }

    /// <summary>The same from the process's own getrusage (the cost lines' cpuMs), per item: a cross-check at µs resolution.</summary>
    public required double SelfReportedCpuMicrosPerItem { get; init; }

    public required double AllocatedBytesPerItem { get; init; }
    public required double Gen0PerInvocation { get; init; }
    public required double Gen1PerInvocation { get; init; }
    public required double Gen2PerInvocation { get; init; }
    public required double GcPauseMsPerInvocation { get; init; }
    public required double PeakRssMb { get; init; }
    public required double RssMb { get; init; }

    /// <summary>Requests the stand-in took during the timed invocations, and the items they carried.</summary>
    public required long StandInRequests { get; init; }
    public required long StandInItems { get; init; }

    public required double LoadAverageBefore { get; init; }
    public required double LoadAverageAfter { get; init; }
}

/// <summary>Minimum and median of a figure over the runs (the machine is shared: the minimum is the least disturbed).</summary>
internal sealed record Spread(double Min, double Median, double Max)
{
    public static Spread Of(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        var median = sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
        return new Spread(sorted[0], median, sorted[^1]);
    }
}

internal sealed record RunSummary(
    Spread CpuMicrosPerItem,
    Spread SelfReportedCpuMicrosPerItem,
    Spread AllocatedBytesPerItem,
    Spread GcPauseMsPerInvocation,
    Spread PeakRssMb,
    Spread ItemsPerSecond,
    Spread MedianInvocationMs)
{
    public static RunSummary Of(IReadOnlyList<RunFigures> runs) => new(
        Spread.Of(runs.Select(r => r.CpuMicrosPerItem)),
        Spread.Of(runs.Select(r => r.SelfReportedCpuMicrosPerItem)),
        Spread.Of(runs.Select(r => r.AllocatedBytesPerItem)),
        Spread.Of(runs.Select(r => r.GcPauseMsPerInvocation)),
        Spread.Of(runs.Select(r => r.PeakRssMb)),
        Spread.Of(runs.Select(r => r.ItemsPerSecond)),
        Spread.Of(runs.Select(r => r.MedianInvocationMs)));
}
