using System.Diagnostics;
using System.Globalization;

namespace Queueing.AotBench.Accounting;

/// <summary>
/// What the kernel accounts to a process (proc(5)): user + system CPU time of all its threads, living and exited
/// (<c>/proc/PID/stat</c> fields 14 and 15, in clock ticks), and its peak and current resident set
/// (<c>VmHWM</c>, <c>VmRSS</c> in <c>/proc/PID/status</c>).
/// </summary>
internal static class ProcFs
{
    private static readonly Lazy<long> TicksPerSecond = new(ReadClockTicks);

    public static TimeSpan CpuTime(int pid)
    {
        var stat = File.ReadAllText($"/proc/{pid}/stat");
        // The command name (field 2) is in parentheses and may hold spaces: count fields after its closing one.
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        var utime = long.Parse(fields[14 - 3], CultureInfo.InvariantCulture);
        var stime = long.Parse(fields[15 - 3], CultureInfo.InvariantCulture);
        return TimeSpan.FromSeconds((utime + stime) / (double)TicksPerSecond.Value);
    }

    /// <summary>The resolution of <see cref="CpuTime"/>.</summary>
    public static TimeSpan CpuTick => TimeSpan.FromSeconds(1.0 / TicksPerSecond.Value);

    public static long PeakResidentBytes(int pid) => StatusKilobytes(pid, "VmHWM:") * 1024;

    public static long ResidentBytes(int pid) => StatusKilobytes(pid, "VmRSS:") * 1024;

    /// <summary>The 1-minute load average, for the record of how busy the shared machine was.</summary>
    public static double LoadAverage() =>
        double.Parse(File.ReadAllText("/proc/loadavg").Split(' ')[0], CultureInfo.InvariantCulture);

    private static long StatusKilobytes(int pid, string field)
    {
        foreach (var line in File.ReadLines($"/proc/{pid}/status"))
        {
            if (line.StartsWith(field, StringComparison.Ordinal))
            {
                // "VmHWM:	   98765 kB"
                return long.Parse(line[field.Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture);
            }
        }

        throw new InvalidOperationException($"/proc/{pid}/status has no {field} line.");
    }

    // USER_HZ: 100 on every Linux we run on, but asked rather than assumed.
    private static long ReadClockTicks()
    {
        using var getconf = Process.Start(new ProcessStartInfo("getconf", "CLK_TCK") { RedirectStandardOutput = true, UseShellExecute = false })
            ?? throw new InvalidOperationException("getconf did not start.");
        var text = getconf.StandardOutput.ReadToEnd().Trim();
        getconf.WaitForExit();
        return long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var ticks) && ticks > 0
            ? ticks
            : throw new InvalidOperationException($"getconf CLK_TCK answered '{text}'.");
    }
}
