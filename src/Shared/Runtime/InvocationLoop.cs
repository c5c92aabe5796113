using Microsoft.Extensions.Logging;
using Queueing.Shared.Logging;

namespace Queueing.Shared.Runtime;

/// <summary>The invocation loop: next -> invoke -> response or error, until shutdown. Ours, not aws-lambda-dotnet's
/// <c>LambdaBootstrap</c> (hence the name): one <see cref="IFunctionHandler"/>, one <see cref="IRuntimeApi"/>.</summary>
public sealed partial class InvocationLoop
{
    private readonly IRuntimeApi _client;
    private readonly IFunctionHandler _handler;
    private readonly string _functionName;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly JsonLogWriter _metricsOutput;

    public InvocationLoop(IRuntimeApi client, IFunctionHandler handler, string functionName, TimeProvider time, ILogger logger, JsonLogWriter metricsOutput)
    {
        _client = client;
        _handler = handler;
        _functionName = functionName;
        _time = time;
        _logger = logger;
        _metricsOutput = metricsOutput;
    }

    public async Task RunAsync(CancellationToken shutdown)
    {
        while (!shutdown.IsCancellationRequested)
        {
            Invocation invocation;
            try
            {
                invocation = await _client.NextAsync(shutdown);
            }
            catch (OperationCanceledException) when (shutdown.IsCancellationRequested)
            {
                return;
            }

            await InvokeOnceAsync(invocation, shutdown);
        }
    }

    internal async Task InvokeOnceAsync(Invocation invocation, CancellationToken shutdown)
    {
        var context = new InvocationContext(invocation, _functionName, _time, _metricsOutput);
        InvocationContext.CurrentHolder.Value = context;
        // The X-Ray SDK and downstream clients read the trace header from this variable, as in the managed runtimes.
        Environment.SetEnvironmentVariable("_X_AMZN_TRACE_ID", invocation.TraceId);
        try
        {
            byte[] response;
            try
            {
                response = await context.InvokeAsync(_handler, invocation.Payload, shutdown);
            }
            // Boundary: whatever the handler throws becomes a function error and the loop serves the next event.
            catch (Exception ex)
            {
                LogHandlerFailed(ex, ex.GetType().Name);
                await ReportAsync(invocation.RequestId, client => client.SendErrorAsync(invocation.RequestId, RuntimeError.From(ex), CancellationToken.None));
                return;
            }

            await ReportAsync(invocation.RequestId, client => client.SendResponseAsync(invocation.RequestId, response, CancellationToken.None));
        }
        finally
        {
            InvocationContext.CurrentHolder.Value = null;
        }
    }

    // The outcome is posted even when shutdown was requested meanwhile: the work is done and Lambda should know.
    // A refused post (413 for a response over the payload limit, 400 for an expired request id) is Lambda's
    // verdict on this one invocation; the loop logs it and serves the next event instead of crashing the process.
    private async Task ReportAsync(string requestId, Func<IRuntimeApi, Task> post)
    {
        try
        {
            await post(_client);
        }
        catch (HttpRequestException ex)
        {
            LogReportFailed(ex, requestId, ex.Message);
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Handler failed with {ErrorType}")]
    private partial void LogHandlerFailed(Exception exception, string errorType);

    [LoggerMessage(Level = LogLevel.Error, Message = "The Runtime API refused the outcome of {InvocationRequestId}: {Reason}")]
    private partial void LogReportFailed(Exception exception, string invocationRequestId, string reason);
}
