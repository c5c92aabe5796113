using System.Diagnostics;
using Queueing.AotBench.Cli;
using Queueing.AotBench.Runs;
using Queueing.Local.Cli;

namespace Queueing.AotBench.Artifacts;

/// <summary>
/// The executable to measure: the one given, or the one `sam build` would package, made by the same Makefile target
/// (<c>make build-&lt;Function&gt; ARTIFACTS_DIR=artifacts/&lt;Function&gt;</c>: Release, linux-x64, Native AOT, warnings as
/// errors, the glibc check), so the figures are the deployed artifact's.
/// </summary>
internal static class BootstrapArtifact
{
    public static async Task<string> ResolveAsync(BenchOptions options, string repositoryRoot, TextWriter log, CancellationToken cancellationToken)
    {
        if (options.Bootstrap is { } given)
        {
            var path = Path.GetFullPath(given);
            return File.Exists(path) ? path : throw new UsageException($"--bootstrap {given}: no such file.");
        }

        var folder = Path.Combine(repositoryRoot, "artifacts", options.LogicalId);
        var bootstrap = Path.Combine(folder, "bootstrap");
        if (options.NoBuild)
        {
            return File.Exists(bootstrap)
                ? bootstrap
                : throw new UsageException($"--no-build: {bootstrap} does not exist; run once without --no-build (or `make build-{options.LogicalId} ARTIFACTS_DIR={folder}`).");
        }

        await log.WriteLineAsync($"make build-{options.LogicalId} ARTIFACTS_DIR={folder} (Native AOT publish, about a minute and a half)...");
        var start = new ProcessStartInfo("make")
        {
            WorkingDirectory = repositoryRoot,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add($"build-{options.LogicalId}");
        start.ArgumentList.Add($"ARTIFACTS_DIR={folder}");
        using var make = Process.Start(start) ?? throw new BenchFailure("make did not start.");
        var stdout = make.StandardOutput.ReadToEndAsync(cancellationToken);
        var stderr = make.StandardError.ReadToEndAsync(cancellationToken);
        try
        {
            await make.WaitForExitAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            make.Kill(entireProcessTree: true);
            throw;
        }

        if (make.ExitCode != 0)
        {
            throw new BenchFailure($"make build-{options.LogicalId} failed (exit {make.ExitCode}):{Environment.NewLine}{(await stdout + await stderr).Trim()}");
        }

        return bootstrap;
    }
}
