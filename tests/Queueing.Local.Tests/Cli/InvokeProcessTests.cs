using System.Diagnostics;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using Queueing.Local.Tests.Support;
using Queueing.Testing;

namespace Queueing.Local.Tests.Cli;

/// <summary>The tool as a real process: what a user's Ctrl+C does to it and to what it started.</summary>
public sealed partial class InvokeProcessTests : IDisposable
{
    private readonly TestStack _stack = new();

    [Fact]
    public async Task Invoke_CtrlCDuringInvocation_StopsTheFunctionAndMotoAndExits130()
    {
        var @event = _stack.WriteFile("event.json", """{"milliseconds":120000}""");
        var tool = RepositoryRoot.File("src", "Local", "bin", TestFunctionBinary.Configuration, "net10.0", "queueing-local");
        // Through env --default-signal=INT: a test runner started from a non-interactive shell's background job has
        // SIGINT ignored, the tool would inherit that and .NET keep it (ToolProcess says the same).
        var start = new ProcessStartInfo("env", ["--default-signal=INT", tool, "invoke", "LongSleepFunction", "--event", @event, "--template", _stack.TemplatePath, "--no-build", "--configuration", TestFunctionBinary.Configuration])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(start)!;
        var stderr = new List<string>();
        var childPid = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        var motoPort = 0;
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                return;
            }

            lock (stderr)
            {
                stderr.Add(e.Data);
            }

            if (MotoLine().Match(e.Data) is { Success: true } moto)
            {
                motoPort = int.Parse(moto.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
            }

            if (SleepLine().Match(e.Data) is { Success: true } sleep)
            {
                childPid.TrySetResult(int.Parse(sleep.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture));
            }
        };
        process.BeginErrorReadLine();
        var stdout = process.StandardOutput.ReadToEndAsync();

        // Wait until the function is inside its handler: the invocation is in flight.
        var pid = await childPid.Task.WaitAsync(TimeSpan.FromSeconds(120));
        using (var interrupt = Process.Start("kill", ["-INT", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
        {
            await interrupt.WaitForExitAsync();
        }

        try
        {
            // Generous: on a loaded 2-core machine the stop (SIGTERM, grace, moto) once took over a minute.
            await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(150));
        }
        catch (TimeoutException)
        {
            process.Kill(entireProcessTree: true);
            lock (stderr)
            {
                throw new TimeoutException($"queueing-local did not exit within 150 s of SIGINT. Its stderr:\n{string.Join('\n', stderr)}");
            }
        }

        await stdout;

        Assert.True(process.ExitCode == 130, $"exit {process.ExitCode}\n{string.Join('\n', stderr)}");
        Assert.False(IsRunning(pid), $"the function process {pid} is still running");
        Assert.NotEqual(0, motoPort);
        using var client = new TcpClient();
        await Assert.ThrowsAnyAsync<SocketException>(() => client.ConnectAsync("127.0.0.1", motoPort));
    }

    private static bool IsRunning(int pid)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    [GeneratedRegex(@"moto_server on http://127\.0\.0\.1:(\d+)/")]
    private static partial Regex MotoLine();

    [GeneratedRegex(@"\[LongSleepFunction\] sleep: 120000 ms \(pid (\d+)\)")]
    private static partial Regex SleepLine();

    public void Dispose() => _stack.Dispose();
}
