using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.RegularExpressions;
using Queueing.Testing;

namespace Queueing.Local.Tests.Support;

/// <summary>
/// The built tool as a user's terminal runs it: a real process leading a process group of its own (started through
/// <c>setsid</c>), so a test can signal the whole group as a terminal's Ctrl+C does.
/// </summary>
internal sealed partial class ToolProcess : IAsyncDisposable
{
    public const int SigInt = 2;
    public const int SigKill = 9;

    private readonly Process _process;
    private readonly Lock _lock = new();
    private readonly StringBuilder _out = new();
    private readonly StringBuilder _error = new();
    private readonly List<(Regex Pattern, TaskCompletionSource<Match> Seen)> _waiters = [];

    private ToolProcess(Process process) => _process = process;

    public static string Executable { get; } = RepositoryRoot.File("src", "Local", "bin", TestFunctionBinary.Configuration, "net10.0", "queueing-local");

    public int Pid => _process.Id;

    public string Out
    {
        get { lock (_lock) { return _out.ToString(); } }
    }

    public string Error
    {
        get { lock (_lock) { return _error.ToString(); } }
    }

    public int ExitCode => _process.ExitCode;

    /// <summary>
    /// Starts <c>setsid env --default-signal=INT queueing-local args...</c>; setsid and env exec in place, so the
    /// tool's pid is its group's id. A shell gives its foreground job the default SIGINT action; a test runner may
    /// have been started with SIGINT ignored (a non-interactive shell ignores it in background jobs), which the
    /// tool would inherit and .NET keep, so env restores the default.
    /// </summary>
    public static ToolProcess StartInOwnSession(params string[] args)
    {
        var start = new ProcessStartInfo("setsid", ["env", "--default-signal=INT", Executable, .. args])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = RepositoryRoot.Path,
        };
        var process = new Process { StartInfo = start };
        var tool = new ToolProcess(process);
        process.OutputDataReceived += (_, e) => tool.OnLine(tool._out, e.Data);
        process.ErrorDataReceived += (_, e) => tool.OnLine(tool._error, e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return tool;
    }

    /// <summary>Waits until stderr has a line matching <paramref name="pattern"/>.</summary>
    public Task<Match> WaitForErrorLineAsync(Regex pattern, TimeSpan timeout)
    {
        var seen = new TaskCompletionSource<Match>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_lock)
        {
            foreach (var line in _error.ToString().Split('\n'))
            {
                if (pattern.Match(line) is { Success: true } match)
                {
                    return Task.FromResult(match);
                }
            }

            _waiters.Add((pattern, seen));
        }

        return seen.Task.WaitAsync(timeout);
    }

    /// <summary>The signal to every process of the tool's group (<c>kill(-pgid, signal)</c>), as a terminal sends Ctrl+C.</summary>
    /// <remarks>Through kill(2) itself: procps-ng 4.0's <c>kill -INT -18017</c> reads the group as <c>-1</c> (every
    /// process of the user) unless <c>--</c> precedes it.</remarks>
    public void SignalGroup(int signal)
    {
        // Never -1 or 0 (everything, or the test's own group): only a group this tool leads.
        Assert.True(Pid > 1, $"pid {Pid}");
        Assert.Equal(0, Kill(-Pid, signal));
    }

    /// <summary>The signal to one process.</summary>
    public static void Signal(int pid, int signal)
    {
        Assert.True(pid > 1, $"pid {pid}");
        Assert.Equal(0, Kill(pid, signal));
    }

    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        await _process.WaitForExitAsync().WaitAsync(timeout);
        return _process.ExitCode;
    }

    public override string ToString() => $"--- stdout\n{Out}\n--- stderr\n{Error}";

    private void OnLine(StringBuilder buffer, string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_lock)
        {
            buffer.Append(line).Append('\n');

            if (buffer == _error)
            {
                foreach (var waiter in _waiters.ToList())
                {
                    if (waiter.Pattern.Match(line) is { Success: true } match)
                    {
                        waiter.Seen.TrySetResult(match);
                        _waiters.Remove(waiter);
                    }
                }
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            // A failed test must not leave the stack running: the whole group, then whatever it started.
            var children = await ProcessTable.DescendantsAsync(Pid);
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
            foreach (var child in await ProcessTable.StillRunningAsync(children))
            {
                Kill(child.Pid, SigKill);
            }
        }

        _process.Dispose();
    }

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);
}
