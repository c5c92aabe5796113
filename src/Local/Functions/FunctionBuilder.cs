using System.Diagnostics;
using System.Text.Json.Nodes;
using Queueing.Emulators.Processes;

namespace Queueing.Local.Functions;

/// <summary>What to start for a built function: the apphost (or <c>dotnet exec</c> of the dll) and its folder.</summary>
internal sealed record BuiltExecutable(string FileName, IReadOnlyList<string> Arguments, string Directory);

/// <summary>
/// Builds function projects with <c>dotnet build</c> (each project once per run, however many functions it hosts)
/// and finds the executable through MSBuild's own properties, so an AssemblyName change cannot mislead it.
/// Build servers are disabled: the tool leaves no compiler or MSBuild node running after it exits.
/// </summary>
internal sealed class FunctionBuilder
{
    private readonly TextWriter _log;
    private readonly string _configuration;
    private readonly bool _noBuild;
    private readonly Dictionary<string, BuiltExecutable> _built = new(StringComparer.Ordinal);

    public FunctionBuilder(TextWriter log, string configuration, bool noBuild)
    {
        _log = log;
        _configuration = configuration;
        _noBuild = noBuild;
    }

    public async Task<BuiltExecutable> BuildAsync(string project, CancellationToken cancellationToken)
    {
        if (_built.TryGetValue(project, out var known))
        {
            return known;
        }

        if (!_noBuild)
        {
            await _log.WriteLineAsync($"Building {Path.GetFileName(project)} ({_configuration})...");
            var (exitCode, output) = await DotnetAsync(["build", project, "-c", _configuration, "-nologo", "-v:q", "-clp:NoSummary", "--disable-build-servers"], cancellationToken);
            if (exitCode != 0)
            {
                throw new FunctionBuildException($"dotnet build {project} failed (exit {exitCode}):{Environment.NewLine}{output.Trim()}");
            }
        }

        var (evalExit, json) = await DotnetAsync(
            ["msbuild", project, $"-p:Configuration={_configuration}", "-nodeReuse:false", "-getProperty:TargetDir", "-getProperty:AssemblyName", "-getProperty:UseAppHost"],
            cancellationToken);
        if (evalExit != 0)
        {
            throw new FunctionBuildException($"Cannot evaluate {project}:{Environment.NewLine}{json.Trim()}");
        }

        var properties = JsonNode.Parse(json)?["Properties"];
        var directory = properties?["TargetDir"]?.ToString() ?? throw new FunctionBuildException($"{project} has no TargetDir.");
        var assembly = properties["AssemblyName"]?.ToString() ?? throw new FunctionBuildException($"{project} has no AssemblyName.");
        var appHost = Path.Combine(directory, assembly + (OperatingSystem.IsWindows() ? ".exe" : string.Empty));
        var dll = Path.Combine(directory, assembly + ".dll");
        BuiltExecutable executable;
        if (properties["UseAppHost"]?.ToString() != "false" && File.Exists(appHost))
        {
            executable = new BuiltExecutable(appHost, [], directory);
        }
        else if (File.Exists(dll))
        {
            executable = new BuiltExecutable(Dotnet, ["exec", dll], directory);
        }
        else
        {
            throw new FunctionBuildException(_noBuild
                ? $"{project} is not built ({_configuration}): run without --no-build, or `dotnet build {project} -c {_configuration}`."
                : $"dotnet build {project} produced no {appHost}.");
        }

        _built[project] = executable;
        return executable;
    }

    private static string Dotnet => Environment.ProcessPath is { } host && Path.GetFileNameWithoutExtension(host) == "dotnet" ? host : "dotnet";

    private static async Task<(int ExitCode, string Output)> DotnetAsync(IEnumerable<string> arguments, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo(Dotnet)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        // Plain text output, in English, for the error report.
        start.Environment["DOTNET_CLI_UI_LANGUAGE"] = "en";
        start.Environment["MSBUILDTERMINALLOGGER"] = "off";

        using var process = Process.Start(OwnSession.Apply(start)) ?? throw new FunctionBuildException("dotnet did not start.");
        var stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
        try
        {
            await process.WaitForExitAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }

        return (process.ExitCode, await stdout + await stderr);
    }
}
