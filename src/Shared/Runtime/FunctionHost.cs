using System.Runtime.InteropServices;
using Microsoft.Extensions.Logging;
using Queueing.Contracts.Settings;
using Queueing.Shared.Logging;
using Queueing.Shared.Settings;

namespace Queueing.Shared.Runtime;

/// <summary>
/// The entry point of a function executable: picks the function named by <c>_HANDLER</c>, runs its init,
/// reports init failures to <c>/runtime/init/error</c>, then serves invocations until SIGTERM.
/// </summary>
public static partial class FunctionHost
{
    public static async Task<int> RunAsync(IReadOnlyDictionary<string, FunctionFactory> functions)
    {
        using var shutdown = new CancellationTokenSource();
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, ctx => { ctx.Cancel = true; shutdown.Cancel(); });
        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, ctx => { ctx.Cancel = true; shutdown.Cancel(); });

        var variables = ProcessEnvironment.Read();
        if (!variables.TryGetValue("AWS_LAMBDA_RUNTIME_API", out var runtimeApi) || string.IsNullOrWhiteSpace(runtimeApi))
        {
            await Console.Error.WriteLineAsync("AWS_LAMBDA_RUNTIME_API is not set: this executable runs under the Lambda Runtime API (on AWS or under `dotnet run --project src/Local`).");
            return 2;
        }

        using var client = new RuntimeApiConnection(runtimeApi);
        return await RunAsync(functions, variables, client, TimeProvider.System, JsonLogWriter.StandardOutput, shutdown.Token);
    }

    internal static async Task<int> RunAsync(
        IReadOnlyDictionary<string, FunctionFactory> functions,
        IReadOnlyDictionary<string, string> variables,
        IRuntimeApi client,
        TimeProvider time,
        JsonLogWriter output,
        CancellationToken shutdown)
    {
        var settings = new SettingsReader(variables);
        var loggers = new JsonLoggerFactory(output, settings.LogLevel(), time);
        var logger = loggers.CreateLogger("Queueing.Runtime");
        var functionName = variables.GetValueOrDefault("AWS_LAMBDA_FUNCTION_NAME") ?? "local";
        var handlerName = variables.GetValueOrDefault("_HANDLER") ?? string.Empty;

        IFunctionHandler handler;
        try
        {
            if (!functions.TryGetValue(handlerName, out var factory))
            {
                settings.AddProblem(handlerName.Length == 0
                    ? $"_HANDLER is required but not set; this executable hosts: {Hosted(functions)}."
                    : $"_HANDLER is '{handlerName}'; this executable hosts: {Hosted(functions)}.");
                throw new SettingsException([.. settings.Problems]);
            }

            handler = await factory(new FunctionStartup { FunctionName = functionName, Settings = settings, Loggers = loggers, Time = time }, shutdown);
            settings.ThrowIfInvalid();
        }
        // Boundary: any init failure is reported to Lambda, which records it and retries the init.
        catch (Exception ex)
        {
            // A factory that read a missing setting may trip over the placeholder value before it calls
            // ThrowIfInvalid; the settings problems are the cause, and the operator needs all of them at once.
            var reported = ex is SettingsException || settings.Problems.Count == 0
                ? ex
                : new SettingsException([.. settings.Problems], ex);
            LogInitFailed(logger, ex, reported.Message);
            try
            {
                await client.SendInitErrorAsync(RuntimeError.From(reported), CancellationToken.None);
            }
            catch (HttpRequestException postFailure)
            {
                LogInitErrorNotReported(logger, postFailure, postFailure.Message);
            }

            return 1;
        }

        await new InvocationLoop(client, handler, functionName, time, logger, output).RunAsync(shutdown);
        return 0;
    }

    private static string Hosted(IReadOnlyDictionary<string, FunctionFactory> functions) =>
        string.Join(", ", functions.Keys.Order(StringComparer.Ordinal));

    [LoggerMessage(Level = LogLevel.Critical, Message = "Init failed: {Reason}")]
    private static partial void LogInitFailed(ILogger logger, Exception exception, string reason);

    [LoggerMessage(Level = LogLevel.Critical, Message = "Could not report the init failure to the Runtime API: {Reason}")]
    private static partial void LogInitErrorNotReported(ILogger logger, Exception exception, string reason);
}
