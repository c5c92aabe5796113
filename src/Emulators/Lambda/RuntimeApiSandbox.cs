using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace Queueing.Emulators.Lambda;

/// <summary>
/// The Runtime API (2018-06-01) of one execution environment, as its runtime sees it: <c>next</c> blocks until the
/// instance dispatches an event; <c>response</c>/<c>error</c> complete it; <c>init/error</c> fails the init phase.
/// One sandbox serves one process at a time; a restarted process gets the same sandbox after <see cref="Reset"/>.
/// </summary>
public sealed class RuntimeApiSandbox
{
    /// <summary>Lambda's synchronous payload limit (6 MB), for the event and the response; the runtime gets 413 past it.</summary>
    public const int MaxResponseBytes = 6 * 1024 * 1024;

    private readonly object _gate = new();
    private TaskCompletionSource<byte[]?> _init = NewInit();
    private bool _initialized;
    private PendingInvocation? _current;
    private TaskCompletionSource<PendingInvocation>? _waiter;

    public RuntimeApiSandbox(int id, string address)
    {
        Id = id;
        Address = address;
    }

    public int Id { get; }

    /// <summary>host:port, the value of <c>AWS_LAMBDA_RUNTIME_API</c>.</summary>
    public string Address { get; }

    /// <summary>Completes with null when the runtime first asks for an event, or with the init error document.</summary>
    internal Task<byte[]?> InitCompleted => _init.Task;

    /// <summary>Forgets the previous process: a new one starts its init phase against this sandbox.</summary>
    internal void Reset()
    {
        lock (_gate)
        {
            _init.TrySetResult(RuntimeErrorDocument.Create("Runtime.ExitError", "The previous runtime process was stopped."));
            _init = NewInit();
            _initialized = false;
            _waiter?.TrySetCanceled();
            _waiter = null;
            _current = null;
        }
    }

    /// <summary>Makes the event available to the runtime's (pending or next) <c>next</c> call.</summary>
    internal void Dispatch(PendingInvocation invocation)
    {
        TaskCompletionSource<PendingInvocation>? waiter;
        lock (_gate)
        {
            _current = invocation;
            waiter = _waiter;
            _waiter = null;
            if (waiter is not null)
            {
                invocation.Dispatched = true;
            }
        }

        waiter?.TrySetResult(invocation);
    }

    internal async Task NextAsync(HttpContext context)
    {
        PendingInvocation? ready = null;
        TaskCompletionSource<PendingInvocation>? waiter = null;
        lock (_gate)
        {
            if (!_initialized)
            {
                _initialized = true;
                _init.TrySetResult(null);
            }

            if (_current is { Dispatched: true, IsCompleted: false })
            {
                // The runtime asks for more work before answering the event it holds.
                waiter = null;
            }
            else if (_current is { Dispatched: false, IsCompleted: false } queued)
            {
                queued.Dispatched = true;
                ready = queued;
            }
            else
            {
                waiter = new TaskCompletionSource<PendingInvocation>(TaskCreationOptions.RunContinuationsAsynchronously);
                _waiter = waiter;
            }
        }

        if (ready is null && waiter is null)
        {
            await WriteErrorAsync(context, StatusCodes.Status403Forbidden, "InvalidStateTransition",
                "Transition from Invoking to Ready is not allowed: post the response or error of the current event first.");
            return;
        }

        if (ready is null)
        {
            try
            {
                ready = await waiter!.Task.WaitAsync(context.RequestAborted);
            }
            catch (OperationCanceledException)
            {
                lock (_gate)
                {
                    if (_waiter == waiter)
                    {
                        _waiter = null;
                    }
                }

                return;
            }
        }

        var headers = context.Response.Headers;
        headers["Lambda-Runtime-Aws-Request-Id"] = ready.RequestId;
        headers["Lambda-Runtime-Deadline-Ms"] = ready.Deadline.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture);
        headers["Lambda-Runtime-Invoked-Function-Arn"] = ready.FunctionArn;
        headers["Lambda-Runtime-Trace-Id"] = ready.TraceId;
        context.Response.StatusCode = StatusCodes.Status200OK;
        context.Response.ContentType = "application/json";
        context.Response.ContentLength = ready.Payload.Length;
        await context.Response.Body.WriteAsync(ready.Payload, context.RequestAborted);
    }

    internal async Task ResponseAsync(HttpContext context, string requestId)
    {
        var invocation = InFlight(requestId);
        if (invocation is null)
        {
            await InvalidRequestIdAsync(context);
            return;
        }

        var body = await ReadBodyAsync(context.Request, MaxResponseBytes);
        if (body is null)
        {
            invocation.TryComplete(
                InvocationOutcome.ResponseTooLarge,
                RuntimeErrorDocument.Create("Function.ResponseSizeTooLarge", $"Response payload size exceeded maximum allowed payload size ({MaxResponseBytes} bytes)."),
                "Function.ResponseSizeTooLarge");
            Finish(invocation);
            await WriteErrorAsync(context, StatusCodes.Status413PayloadTooLarge, "RequestEntityTooLarge",
                $"Exceeded maximum allowed payload size ({MaxResponseBytes} bytes).");
            return;
        }

        invocation.TryComplete(InvocationOutcome.Response, body, null);
        Finish(invocation);
        await AcceptedAsync(context);
    }

    internal async Task ErrorAsync(HttpContext context, string requestId)
    {
        var invocation = InFlight(requestId);
        if (invocation is null)
        {
            await InvalidRequestIdAsync(context);
            return;
        }

        var body = await ReadBodyAsync(context.Request, MaxResponseBytes) ?? [];
        var (document, errorType) = RuntimeErrorDocument.FromRuntime(body, ErrorTypeHeader(context.Request));
        invocation.TryComplete(InvocationOutcome.FunctionError, document, errorType);
        Finish(invocation);
        await AcceptedAsync(context);
    }

    internal async Task InitErrorAsync(HttpContext context)
    {
        TaskCompletionSource<byte[]?> init;
        bool initialized;
        lock (_gate)
        {
            initialized = _initialized;
            init = _init;
        }

        if (initialized)
        {
            await WriteErrorAsync(context, StatusCodes.Status403Forbidden, "InvalidStateTransition",
                "Transition from Ready to InitError is not allowed: the init phase is over.");
            return;
        }

        var body = await ReadBodyAsync(context.Request, MaxResponseBytes) ?? [];
        var (document, _) = RuntimeErrorDocument.FromRuntime(body, ErrorTypeHeader(context.Request) ?? "Runtime.Unknown");
        init.TrySetResult(document);
        await AcceptedAsync(context);
    }

    private PendingInvocation? InFlight(string requestId)
    {
        lock (_gate)
        {
            return _current is { Dispatched: true, IsCompleted: false } current && current.RequestId == requestId ? current : null;
        }
    }

    private void Finish(PendingInvocation invocation)
    {
        lock (_gate)
        {
            if (_current == invocation)
            {
                _current = null;
            }
        }
    }

    private static string? ErrorTypeHeader(HttpRequest request) =>
        request.Headers.TryGetValue("Lambda-Runtime-Function-Error-Type", out var value) && !string.IsNullOrWhiteSpace(value) ? value.ToString() : null;

    /// <summary>The body, or null when it is larger than <paramref name="limit"/>.</summary>
    private static async Task<byte[]?> ReadBodyAsync(HttpRequest request, int limit)
    {
        if (request.ContentLength > limit)
        {
            return null;
        }

        using var buffer = new MemoryStream();
        var chunk = new byte[81920];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, request.HttpContext.RequestAborted)) > 0)
        {
            if (buffer.Length + read > limit)
            {
                return null;
            }

            buffer.Write(chunk, 0, read);
        }

        return buffer.ToArray();
    }

    private static Task InvalidRequestIdAsync(HttpContext context) =>
        WriteErrorAsync(context, StatusCodes.Status400BadRequest, "InvalidRequestID", "Invalid request ID");

    private static Task AcceptedAsync(HttpContext context)
    {
        context.Response.StatusCode = StatusCodes.Status202Accepted;
        context.Response.ContentType = "application/json";
        return context.Response.WriteAsync("{\"status\":\"OK\"}");
    }

    internal static Task WriteErrorAsync(HttpContext context, int status, string errorType, string message)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        return context.Response.WriteAsync(new JsonObject { ["errorMessage"] = message, ["errorType"] = errorType }.ToJsonString());
    }

    private static TaskCompletionSource<byte[]?> NewInit() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
