using System.Diagnostics;

namespace Queueing.Emulators.Processes;

/// <summary>How a child process ended, in words: <c>exit status 1</c>, or <c>signal 9</c> (.NET reports a child
/// killed by signal N as exit code 128 + N on Unix).</summary>
public static class ExitStatus
{
    public static string Describe(Process process) =>
        !process.HasExited ? "running"
        : process.ExitCode > 128 && !OperatingSystem.IsWindows() ? $"signal {process.ExitCode - 128}"
        : $"exit status {process.ExitCode}";
}
