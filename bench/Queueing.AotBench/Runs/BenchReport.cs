using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Queueing.AotBench.Runs;

/// <summary>What was measured, how, and the figures of every run: as a table, or as one JSON object.</summary>
internal sealed record BenchReport
{
    private static readonly JsonSerializerOptions JsonOptions = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    public required string Function { get; init; }
    public required string Workload { get; init; }
    public required string Unit { get; init; }
    public required string Executable { get; init; }
    public required long ExecutableBytes { get; init; }
    public required DateTimeOffset ExecutableWritten { get; init; }
    public required string? Cpus { get; init; }
    public required IReadOnlyDictionary<string, string> ExtraEnvironment { get; init; }
    public required int Warmups { get; init; }
    public required int InvocationsPerRun { get; init; }
    public required DateTimeOffset Started { get; init; }
    public string Machine { get; init; } = $"{Environment.ProcessorCount} processors, {RuntimeInformation.OSDescription}";
    public required IReadOnlyList<RunFigures> Runs { get; init; }
    public RunSummary Summary => RunSummary.Of(Runs);

    public string ToJson() => JsonSerializer.Serialize(this, JsonOptions);

    public void WriteTable(TextWriter output)
    {
        var u = Unit;
        output.WriteLine($"{Function} on its Native AOT executable, {Started.UtcDateTime:yyyy-MM-dd HH:mm} UTC");
        output.WriteLine($"  executable  {Executable} ({ExecutableBytes:N0} bytes, written {ExecutableWritten.UtcDateTime:yyyy-MM-dd HH:mm} UTC)");
        output.WriteLine($"  workload    {Workload}");
        output.WriteLine($"  process     {(Cpus is null ? "not pinned" : $"taskset -c {Cpus}")}; LOG_LEVEL=Debug" +
            string.Concat(ExtraEnvironment.Select(e => $"; {e.Key}={e.Value}")));
        output.WriteLine($"  per run     a fresh process, {Warmups} warm-up and {InvocationsPerRun} timed invocations; machine: {Machine}");
        output.WriteLine();
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{"run",3} {"wall s",7} {u + "s/s",12} {"inv ms p50",10} {"CPU µs/" + u,15} {"(self)",8} {"alloc B/" + u,15} {"GCs/inv 0/1/2",15} {"pause ms/inv",12} {"peak RSS MB",11} {"stand-in req/items",19} {"load",9}"));
        foreach (var r in Runs)
        {
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{r.Run,3} {r.WallSeconds,7:0.00} {r.ItemsPerSecond,12:N0} {r.MedianInvocationMs,10:0.00} {r.CpuMicrosPerItem,15:0.00} {r.SelfReportedCpuMicrosPerItem,8:0.00} {r.AllocatedBytesPerItem,15:N0} {$"{r.Gen0PerInvocation:0.0}/{r.Gen1PerInvocation:0.0}/{r.Gen2PerInvocation:0.0}",15} {r.GcPauseMsPerInvocation,12:0.00} {r.PeakRssMb,11:0.0} {$"{r.StandInRequests}/{r.StandInItems}",19} {$"{r.LoadAverageBefore:0.0}-{r.LoadAverageAfter:0.0}",9}"));
        }

        var s = Summary;
        output.WriteLine();
        output.WriteLine("min / median / max over the runs:");
        Line(output, $"CPU µs/{u} (/proc)", s.CpuMicrosPerItem, "0.00");
        Line(output, $"CPU µs/{u} (self)", s.SelfReportedCpuMicrosPerItem, "0.00");
        Line(output, $"allocated B/{u}", s.AllocatedBytesPerItem, "N0");
        Line(output, "GC pause ms/invocation", s.GcPauseMsPerInvocation, "0.00");
        Line(output, "peak RSS MB", s.PeakRssMb, "0.0");
        Line(output, $"{u}s/s", s.ItemsPerSecond, "N0");
        Line(output, "invocation ms (p50)", s.MedianInvocationMs, "0.00");
    }

    private static void Line(TextWriter output, string name, Spread spread, string format) =>
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  {name,-24} {spread.Min.ToString(format, CultureInfo.InvariantCulture),10} / {spread.Median.ToString(format, CultureInfo.InvariantCulture),10} / {spread.Max.ToString(format, CultureInfo.InvariantCulture),10}"));
}
