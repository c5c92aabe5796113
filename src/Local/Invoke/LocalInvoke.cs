using System.Globalization;
using System.Text;
using System.Text.Json;
using Queueing.Emulators.Lambda;
using Queueing.Emulators.Template;
using Queueing.Local.Aws;
using Queueing.Local.Cli;
using Queueing.Local.Functions;

namespace Queueing.Local.Invoke;

/// <summary>
/// <c>invoke</c>: what <c>sam local invoke</c> does, without Docker. Builds the function, starts the local AWS and
/// creates the template's queues and secrets, runs the function's executable under the emulated Runtime API,
/// invokes it once with the event, prints the response (or error document) on stdout and logs on stderr.
/// </summary>
internal sealed class LocalInvoke
{
    private readonly CliContext _cli;

    public LocalInvoke(CliContext cli) => _cli = cli;

    public async Task<int> RunAsync(InvokeRequest request, CancellationToken cancellationToken)
    {
        try
        {
            return await InvokeAsync(request, cancellationToken);
        }
        catch (UsageException ex)
        {
            return await FailAsync(ExitCodes.Usage, ex.Message);
        }
        catch (TemplateException ex)
        {
            return await FailAsync(ExitCodes.Usage, "The template cannot be run locally:" + Environment.NewLine + ex.Message);
        }
        catch (FunctionBuildException ex)
        {
            return await FailAsync(ExitCodes.Environment, ex.Message);
        }
        catch (LocalAwsException ex)
        {
            return await FailAsync(ExitCodes.Environment, ex.Message);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Ctrl+C: the function's process and moto are already stopped by the disposals on the way out.
            return await FailAsync(ExitCodes.Cancelled, "Cancelled; the function and the local AWS were stopped.");
        }
    }

    private async Task<int> InvokeAsync(InvokeRequest request, CancellationToken cancellationToken)
    {
        var payload = await ReadEventAsync(request.Event, cancellationToken);
        var template = TemplateDocument.Load(TemplateLocator.Find(request.TemplatePath, _cli.CurrentDirectory));
        // Resolve once before starting anything, so a template or name problem costs no build and no moto.
        var preview = StackModel.Load(template, QueueingApplication.Stack(), request.ParameterOverrides, QueueingApplication.LocalParameterDefaults);
        if (!preview.Functions.TryGetValue(request.LogicalId, out var declared))
        {
            throw new UsageException(
                $"'{request.LogicalId}' is not a function of {template.FilePath}; its functions are: {string.Join(", ", preview.Functions.Keys)}.");
        }

        var envVars = await ReadEnvVarsAsync(request.EnvVarsFile, cancellationToken);
        var executable = await new FunctionBuilder(_cli.Error, request.Configuration, request.NoBuild)
            .BuildAsync(FunctionProjects.ProjectFor(declared, template.Directory), cancellationToken);

        await using var moto = request.AwsEndpoint is null ? await StartMotoAsync(cancellationToken) : null;
        var endpoint = request.AwsEndpoint ?? moto!.Endpoint;
        var stack = QueueingApplication.Stack(endpoint);
        var model = StackModel.Load(template, stack, request.ParameterOverrides, QueueingApplication.LocalParameterDefaults);
        foreach (var parameter in model.LocalDefaultsUsed)
        {
            await _cli.Error.WriteLineAsync(
                $"Parameter {parameter} has no Default; using the local placeholder '{QueueingApplication.LocalParameterDefaults[parameter]}' (override with --parameter-overrides {parameter}=VALUE).");
        }

        var function = model.Functions[request.LogicalId];
        var access = new LocalAwsAccess(endpoint, stack.Region);
        await new LocalAwsProvisioner(access, _cli.Error).ProvisionAsync(model, request.Secrets, cancellationToken);

        var overrides = new Dictionary<string, string>(envVars.For(function.LogicalId, function.Environment, out var ignored));
        if (ignored.Count > 0)
        {
            await _cli.Error.WriteLineAsync(
                $"--env-vars: ignored {string.Join(", ", ignored)}: not declared in {function.LogicalId}'s Environment.Variables (sam local does the same).");
        }

        foreach (var (variable, url) in QueueingApplication.LocalEndpoints(function, request.WaylayUrl, request.IotEndpoint))
        {
            overrides[variable] = url;
        }

        var launch = new FunctionLaunch(
            executable.FileName,
            executable.Arguments,
            executable.Directory,
            FunctionEnvironment.Build(function, executable.Directory, access, _cli.HostEnvironment, overrides));
        await using var runtime = await FunctionRuntime.StartAsync(
            function, launch, new FunctionRuntimeOptions(), new FunctionOutput(_cli.Error), _cli.Time, cancellationToken);
        var result = await runtime.InvokeAsync(payload, cancellationToken);
        return await ReportAsync(function, result);
    }

    private async Task<MotoServerProcess> StartMotoAsync(CancellationToken cancellationToken)
    {
        await _cli.Error.WriteLineAsync("Starting the local AWS (moto_server)...");
        var moto = await MotoServerProcess.StartAsync(TimeSpan.FromSeconds(60), cancellationToken);
        await _cli.Error.WriteLineAsync($"Local AWS: moto_server on {moto.Endpoint}");
        return moto;
    }

    private async Task<int> ReportAsync(FunctionDefinition function, InvocationResult result)
    {
        await _cli.Out.WriteLineAsync(Encoding.UTF8.GetString(result.Payload));
        await _cli.Out.FlushAsync();

        var report = new StringBuilder();
        report.Append(CultureInfo.InvariantCulture, $"REPORT RequestId: {result.RequestId}\tDuration: {result.Duration.TotalMilliseconds:0.00} ms");
        if (result.InitDuration is { } init)
        {
            report.Append(CultureInfo.InvariantCulture, $"\tInit Duration: {init.TotalMilliseconds:0.00} ms");
        }

        report.Append(CultureInfo.InvariantCulture, $"\tMemory Size: {function.MemorySize} MB");
        await _cli.Error.WriteLineAsync(report.ToString());
        if (!result.IsError)
        {
            return ExitCodes.Success;
        }

        var message = RuntimeErrorDocument.Message(result.Payload);
        await _cli.Error.WriteLineAsync(result.Outcome switch
        {
            InvocationOutcome.InitError => $"{function.LogicalId} failed its init ({result.ErrorType}): {message}",
            InvocationOutcome.Timeout => $"{function.LogicalId} timed out after its Timeout of {function.TimeoutSeconds} s; the instance was stopped.",
            _ => $"{function.LogicalId} failed ({result.ErrorType}): {message}",
        });
        return ExitCodes.FunctionFailed;
    }

    private async Task<byte[]> ReadEventAsync(string source, CancellationToken cancellationToken)
    {
        byte[] payload;
        if (source == "-")
        {
            payload = Encoding.UTF8.GetBytes(await _cli.In.ReadToEndAsync(cancellationToken));
        }
        else
        {
            var path = Path.GetFullPath(source, _cli.CurrentDirectory);
            if (!File.Exists(path))
            {
                throw new UsageException($"Event file '{source}' does not exist.");
            }

            payload = await File.ReadAllBytesAsync(path, cancellationToken);
        }

        if (payload.Length > RuntimeApiSandbox.MaxResponseBytes)
        {
            throw new UsageException($"The event is {payload.Length} bytes; a synchronous Lambda invoke takes at most {RuntimeApiSandbox.MaxResponseBytes} (6 MB).");
        }

        // Lambda's Invoke API takes JSON only.
        try
        {
            using var _ = JsonDocument.Parse(payload);
        }
        catch (JsonException ex)
        {
            throw new UsageException($"The event ({(source == "-" ? "stdin" : source)}) is not JSON: {ex.Message}");
        }

        return payload;
    }

    private async Task<EnvVarsFile> ReadEnvVarsAsync(string? source, CancellationToken cancellationToken)
    {
        if (source is null)
        {
            return EnvVarsFile.Empty;
        }

        var path = Path.GetFullPath(source, _cli.CurrentDirectory);
        if (!File.Exists(path))
        {
            throw new UsageException($"--env-vars file '{source}' does not exist.");
        }

        try
        {
            return EnvVarsFile.Parse(await File.ReadAllTextAsync(path, cancellationToken), source);
        }
        catch (FormatException ex)
        {
            throw new UsageException(ex.Message, ex);
        }
    }

    private async Task<int> FailAsync(int exitCode, string message)
    {
        await _cli.Error.WriteLineAsync(message);
        return exitCode;
    }
}
