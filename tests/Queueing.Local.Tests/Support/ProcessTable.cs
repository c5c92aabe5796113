using System.Diagnostics;
using System.Globalization;

namespace Queueing.Local.Tests.Support;

/// <summary>The machine's processes as <c>ps</c> lists them: what a child of the tool is, and whether it still runs.</summary>
internal sealed record ProcessRow(int Pid, int ParentPid, int ProcessGroup, string State, string Command);

internal static class ProcessTable
{
    public static async Task<IReadOnlyList<ProcessRow>> ReadAsync()
    {
        var start = new ProcessStartInfo("ps", ["-e", "-o", "pid=,ppid=,pgid=,stat=,args="]) { RedirectStandardOutput = true };
        using var ps = Process.Start(start) ?? throw new InvalidOperationException("ps did not start.");
        var text = await ps.StandardOutput.ReadToEndAsync();
        await ps.WaitForExitAsync();
        return [.. text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(Parse).OfType<ProcessRow>()];
    }

    /// <summary>Every process below <paramref name="pid"/> (children, their children, ...).</summary>
    public static async Task<IReadOnlyList<ProcessRow>> DescendantsAsync(int pid)
    {
        var rows = await ReadAsync();
        var found = new List<ProcessRow>();
        var parents = new Queue<int>([pid]);
        while (parents.TryDequeue(out var parent))
        {
            foreach (var child in rows.Where(r => r.ParentPid == parent))
            {
                found.Add(child);
                parents.Enqueue(child.Pid);
            }
        }

        return found;
    }

    /// <summary>The ones of <paramref name="processes"/> still running (a zombie is not running).</summary>
    public static async Task<IReadOnlyList<ProcessRow>> StillRunningAsync(IEnumerable<ProcessRow> processes)
    {
        var rows = (await ReadAsync()).ToDictionary(r => r.Pid);
        return [.. processes.Where(p => rows.TryGetValue(p.Pid, out var now) && !now.State.StartsWith('Z') && now.Command == p.Command)];
    }

    private static ProcessRow? Parse(string line)
    {
        var fields = line.Trim().Split(' ', 5, StringSplitOptions.RemoveEmptyEntries);
        return fields.Length == 5
            && int.TryParse(fields[0], CultureInfo.InvariantCulture, out var pid)
            && int.TryParse(fields[1], CultureInfo.InvariantCulture, out var parent)
            && int.TryParse(fields[2], CultureInfo.InvariantCulture, out var group)
            ? new ProcessRow(pid, parent, group, fields[3], fields[4])
            : null;
    }
}
