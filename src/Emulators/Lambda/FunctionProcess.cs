using System.Diagnostics;
using System.Runtime.InteropServices;
using Queueing.Emulators.Processes;

namespace Queueing.Emulators.Lambda;

/// <summary>One running function executable: its output piped to <see cref="FunctionOutput"/>, its exit observed.</summary>
internal sealed partial class FunctionProcess : IDisposable
{
    private const int RecentLines = 40;
    private const int SigTerm = 15;

    private readonly Process _process;
    private readonly Queue<string> _recent = new();

    private FunctionProcess(Process process)
    {
        _process = process;
        Exited = process.WaitForExitAsync();
    }

    /// <summary>Completes when the process has exited and its output has been read to the end.</summary>
    public Task Exited { get; }

    public int ProcessId => _process.Id;

    public bool HasExited => Exited.IsCompleted;

    public string ExitDescription => ExitStatus.Describe(_process);

    public string RecentOutput
    {
        get
        {
            lock (_recent)
            {
                return string.Join(Environment.NewLine, _recent);
            }
        }
    }

    public static FunctionProcess Start(FunctionLaunch launch, string runtimeApi, FunctionOutput output, string source)
    {
        var start = new ProcessStartInfo(launch.FileName)
        {
            WorkingDirectory = launch.WorkingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = false,
            UseShellExecute = false,
        };
        foreach (var argument in launch.Arguments)
        {
            start.ArgumentList.Add(argument);
        }

        // A sandbox starts from a clean environment: only what the template and the Lambda service define.
        start.Environment.Clear();
        foreach (var (name, value) in launch.Environment)
        {
            start.Environment[name] = value;
        }

        start.Environment["AWS_LAMBDA_RUNTIME_API"] = runtimeApi;

        // Its own session: a terminal's Ctrl+C reaches the tool only, which stops its functions last.
        var process = new Process { StartInfo = OwnSession.Apply(start) };
        FunctionProcess? wrapper = null;
        process.OutputDataReceived += (_, e) => wrapper?.OnLine(e.Data, output, source);
        process.ErrorDataReceived += (_, e) => wrapper?.OnLine(e.Data, output, source);
        if (!process.Start())
        {
            throw new InvalidOperationException($"{launch.FileName} did not start.");
        }

        wrapper = new FunctionProcess(process);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return wrapper;
    }

    /// <summary>SIGTERM (the runtime's shutdown signal), then SIGKILL after <paramref name="grace"/>.</summary>
    public async Task StopAsync(TimeSpan grace)
    {
        if (HasExited)
        {
            return;
        }

        if (!OperatingSystem.IsWindows() && Kill(_process.Id, SigTerm) == 0)
        {
            try
            {
                await Exited.WaitAsync(grace);
                return;
            }
            catch (TimeoutException)
            {
            }
        }

        KillNow();
        await Exited;
    }

    public void KillNow()
    {
        try
        {
            _process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // Already exited.
        }
    }

    private void OnLine(string? line, FunctionOutput output, string source)
    {
        if (line is null)
        {
            return;
        }

        lock (_recent)
        {
            _recent.Enqueue(line);
            if (_recent.Count > RecentLines)
            {
                _recent.Dequeue();
            }
        }

        output.Line(source, line);
    }

    public void Dispose()
    {
        KillNow();
        _process.Dispose();
    }

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);
}
