using Microsoft.Extensions.Logging;

namespace Queueing.Shared.Runtime;

/// <summary>The invocation loop: next -> invoke -> response or error, until shutdown.</summary>
public sealed partial class LambdaBootstrap
{
    private readonly IRuntimeApiClient _client;
    private readonly IFunctionHandler _handler;
    private readonly string _functionName;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;

    public LambdaBootstrap(IRuntimeApiClient client, IFunctionHandler handler, string functionName, TimeProvider time, ILogger logger)
    {
        _client = client;
        _handler = handler;
        _functionName = functionName;
        _time = time;
        _logger = logger;
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
        var context = new InvocationContext(invocation, _functionName, _time);
        InvocationContext.CurrentHolder.Value = context;
        // The X-Ray SDK and downstream clients read the trace header from this variable, as in the managed runtimes.
        Environment.SetEnvironmentVariable("_X_AMZN_TRACE_ID", invocation.TraceId);
        try
        {
            byte[] response;
            try
            {
                response = await _handler.InvokeAsync(invocation.Payload, context, shutdown);
            }
            // Boundary: whatever the handler throws becomes a function error and the loop serves the next event.
            catch (Exception ex)
            {
                LogHandlerFailed(ex, ex.GetType().Name);
                await _client.SendErrorAsync(invocation.RequestId, RuntimeError.From(ex), shutdown);
                return;
            }

            await _client.SendResponseAsync(invocation.RequestId, response, shutdown);
        }
        finally
        {
            InvocationContext.CurrentHolder.Value = null;
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Handler failed with {ErrorType}")]
    private partial void LogHandlerFailed(Exception exception, string errorType);
}
