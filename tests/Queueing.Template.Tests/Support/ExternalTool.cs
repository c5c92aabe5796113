using System.ComponentModel;
using System.Diagnostics;
using Queueing.Testing;

namespace Queueing.Template.Tests.Support;

internal sealed record ToolResult(int ExitCode, string StandardOutput, string StandardError)
{
    public override string ToString() => $"exit {ExitCode}\n--- stdout\n{StandardOutput}\n--- stderr\n{StandardError}";
}

/// <summary>Runs a command-line tool (cfn-lint, make) from the repository root and captures what it prints.</summary>
internal static class ExternalTool
{
    // A safety net against a hung tool, not a performance assertion.
    private static readonly TimeSpan HangLimit = TimeSpan.FromMinutes(3);

    public static async Task<ToolResult> RunAsync(
        string fileName,
        IEnumerable<string> arguments,
        string installHint,
        IReadOnlyDictionary<string, string?>? environment = null)
    {
        var start = new ProcessStartInfo(fileName, arguments)
        {
            WorkingDirectory = RepositoryRoot.Path,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var (name, value) in environment ?? new Dictionary<string, string?>())
        {
            if (value is null)
            {
                start.Environment.Remove(name);
            }
            else
            {
                start.Environment[name] = value;
            }
        }

        Process process;
        try
        {
            process = Process.Start(start) ?? throw new InvalidOperationException($"{fileName} did not start.");
        }
        catch (Win32Exception ex)
        {
            throw new InvalidOperationException($"'{fileName}' is not installed or not on PATH. {installHint}", ex);
        }

        using (process)
        {
            using var hang = new CancellationTokenSource(HangLimit);
            var stdout = process.StandardOutput.ReadToEndAsync(hang.Token);
            var stderr = process.StandardError.ReadToEndAsync(hang.Token);
            try
            {
                await process.WaitForExitAsync(hang.Token);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                throw new TimeoutException($"{fileName} {string.Join(' ', arguments)} did not finish within {HangLimit}.");
            }

            return new ToolResult(process.ExitCode, await stdout, await stderr);
        }
    }
}
