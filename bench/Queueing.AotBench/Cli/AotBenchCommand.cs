using System.Collections;
using Queueing.AotBench.Artifacts;
using Queueing.AotBench.Runs;
using Queueing.AotBench.Scenarios;
using Queueing.Emulators.Lambda;
using Queueing.Emulators.Template;
using Queueing.Local.Aws;
using Queueing.Local.Cli;
using Queueing.Local.Functions;

namespace Queueing.AotBench.Cli;

/// <summary>
/// Wires a measurement: the executable, moto with the template's queues and secrets, the scenario's stand-in, the
/// function's environment as the template and the Lambda service set it (plus LOG_LEVEL=Debug for the cost lines),
/// then <c>--runs</c> fresh processes, and the report. Exit 0: figures; 1: a run was not clean; 2: usage; 3: the
/// environment (build, moto, template).
/// </summary>
internal static class AotBenchCommand
{
    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        BenchOptions options;
        try
        {
            options = BenchOptions.Parse(args);
        }
        catch (UsageException ex)
        {
            await error.WriteLineAsync(ex.Message);
            await error.WriteLineAsync();
            await error.WriteLineAsync(BenchOptions.Usage);
            return 2;
        }

        try
        {
            return await MeasureAsync(options, output, error, cancellationToken);
        }
        catch (UsageException ex)
        {
            await error.WriteLineAsync(ex.Message);
            return 2;
        }
        catch (BenchFailure ex)
        {
            await error.WriteLineAsync("Not a clean run, no figures reported: " + ex.Message);
            return 1;
        }
        catch (Exception ex) when (ex is LocalAwsException or TemplateException or FunctionBuildException)
        {
            await error.WriteLineAsync(ex.Message);
            return 3;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            await error.WriteLineAsync("Cancelled; the function, the stand-ins and moto were stopped.");
            return 130;
        }
    }

    private static async Task<int> MeasureAsync(BenchOptions options, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        var template = TemplateDocument.Load(TemplateLocator.Find(options.Template, Directory.GetCurrentDirectory()));
        var bootstrap = await BootstrapArtifact.ResolveAsync(options, template.Directory, error, cancellationToken);

        await error.WriteLineAsync("Starting moto_server (SSM and SQS as the template declares them)...");
        await using var moto = await MotoServerProcess.StartAsync(TimeSpan.FromSeconds(60), cancellationToken);
        var context = Queueing.Local.QueueingApplication.Stack(moto.Endpoint);
        var model = StackModel.Load(template, context, new Dictionary<string, string>(), Queueing.Local.QueueingApplication.LocalParameterDefaults);
        var function = model.Functions.GetValueOrDefault(options.LogicalId)
            ?? throw new UsageException($"{template.FilePath} has no function {options.LogicalId}.");
        var access = new LocalAwsAccess(moto.Endpoint, context.Region);
        var provisioner = new LocalAwsProvisioner(access, TextWriter.Null);
        var secrets = new LocalSecrets();
        await provisioner.ProvisionAsync(model, secrets, cancellationToken);

        await using var scenario = Create(options);
        var overrides = new Dictionary<string, string>(await scenario.StartAsync(new BenchStack(model, function, access, provisioner, secrets), cancellationToken), StringComparer.Ordinal)
        {
            // The runtime loop's per-invocation cost line is written at Debug only.
            ["LOG_LEVEL"] = "Debug",
        };
        foreach (var (name, value) in options.Environment)
        {
            overrides[name] = value;
        }

        var folder = Path.GetDirectoryName(bootstrap)!;
        var environment = FunctionEnvironment.Build(function, folder, access, HostEnvironment(), overrides);
        var launch = options.Cpus is { } cpus
            ? new FunctionLaunch("taskset", ["-c", cpus, bootstrap], folder, environment)
            : new FunctionLaunch(bootstrap, [], folder, environment);

        var started = DateTimeOffset.UtcNow;
        var runner = new BenchRunner(function, launch, scenario, error);
        var runs = new List<RunFigures>();
        for (var run = 1; run <= options.Runs; run++)
        {
            await error.WriteLineAsync($"Run {run} of {options.Runs}: {options.Warmups} warm-up and {options.Invocations} timed invocations...");
            runs.Add(await runner.RunAsync(run, options.Warmups, options.Invocations, cancellationToken));
        }

        var file = new FileInfo(bootstrap);
        var report = new BenchReport
        {
            Function = options.LogicalId,
            Workload = scenario.Describe(),
            Unit = scenario.Unit,
            Executable = bootstrap,
            ExecutableBytes = file.Length,
            ExecutableWritten = file.LastWriteTimeUtc,
            Cpus = options.Cpus,
            ExtraEnvironment = options.Environment.ToDictionary(e => e.Key, e => e.Value, StringComparer.Ordinal),
            Warmups = options.Warmups,
            InvocationsPerRun = options.Invocations,
            Started = started,
            Runs = runs,
        };
        if (options.Json)
        {
            await output.WriteLineAsync(report.ToJson());
        }
        else
        {
            report.WriteTable(output);
        }

        return 0;
    }

    private static IBenchScenario Create(BenchOptions options) => options.Target switch
    {
        BenchTarget.Ingest => new IngestScenario(options.Records, options.Devices, options.LatencyMs),
        BenchTarget.Publisher => new PublisherScenario(options.Devices),
        _ => new CommandApiScenario(options.Devices),
    };

    private static Dictionary<string, string> HostEnvironment() =>
        Environment.GetEnvironmentVariables().Cast<DictionaryEntry>()
            .ToDictionary(e => (string)e.Key, e => (string?)e.Value ?? string.Empty, StringComparer.Ordinal);
}
