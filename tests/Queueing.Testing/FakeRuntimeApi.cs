using System.Collections.Concurrent;
using System.Globalization;
using System.Threading.Channels;
using Microsoft.AspNetCore.Http;

namespace Queueing.Testing;

/// <summary>
/// The Lambda Runtime API 2018-06-01 over loopback HTTP, as a test double for the function side: events are
/// handed out by a blocking <c>GET /runtime/invocation/next</c> with the <c>Lambda-Runtime-*</c> headers, and
/// every response, error and init error is recorded with its body and error-type header. Once the queued events
/// are handed out, further <c>next</c> calls are held open, as Lambda holds a frozen function's.
/// Not the local stack's Runtime API server (src/Emulators/Lambda): that one is driven by its invoke path through
/// internal members and answers as Lambda does; tests here also script answers (<see cref="ResponseStatus"/>,
/// <see cref="InitErrorStatus"/>) and count and wait on <c>next</c> calls.
/// </summary>
public sealed class FakeRuntimeApi : IAsyncDisposable
{
    private const string Prefix = "/2018-06-01/runtime/";
    private readonly Channel<PendingEvent> _events = Channel.CreateUnbounded<PendingEvent>();
    private readonly ConcurrentDictionary<string, TaskCompletionSource<Outcome>> _outcomes = new(StringComparer.Ordinal);
    private readonly TaskCompletionSource<Outcome> _initError = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource<Outcome> _first = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly ConcurrentQueue<Outcome> _all = new();
    private LoopbackHttpServer? _server;
    private int _nextCalls;
    private TaskCompletionSource _nextWaiting = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Status code for a given response post (e.g. 413 for a payload over Lambda's limit); default 202.</summary>
    public Func<string, int> ResponseStatus { get; set; } = _ => StatusCodes.Status202Accepted;

    public int InitErrorStatus { get; set; } = StatusCodes.Status202Accepted;

    /// <summary><c>host:port</c>, the form <c>AWS_LAMBDA_RUNTIME_API</c> takes.</summary>
    public string Address => _server!.BaseAddress.Authority;

    public int NextCalls => Volatile.Read(ref _nextCalls);

    public IReadOnlyCollection<Outcome> Outcomes => _all;

    public static async Task<FakeRuntimeApi> StartAsync()
    {
        var api = new FakeRuntimeApi();
        api._server = await LoopbackHttpServer.StartAsync(api.HandleAsync);
        return api;
    }

    public void Enqueue(string requestId, string payload, DateTimeOffset deadline, string functionArn = DefaultFunctionArn, string? traceId = null) =>
        Enqueue(requestId, System.Text.Encoding.UTF8.GetBytes(payload), deadline, functionArn, traceId);

    public void Enqueue(string requestId, byte[] payload, DateTimeOffset deadline, string functionArn = DefaultFunctionArn, string? traceId = null)
    {
        _outcomes.TryAdd(requestId, new TaskCompletionSource<Outcome>(TaskCreationOptions.RunContinuationsAsynchronously));
        _events.Writer.TryWrite(new PendingEvent(requestId, payload, deadline, functionArn, traceId));
    }

    public const string DefaultFunctionArn = "arn:aws:lambda:us-east-1:123456789012:function:test";

    /// <summary>
    /// The first response, error or init error posted, whichever it is (no guard: callers running a process race it
    /// against the process's exit and their own limit).
    /// </summary>
    public Task<Outcome> FirstOutcome => _first.Task;

    /// <summary>The response or error posted for <paramref name="requestId"/> (waits for it; a guard, not a timing).</summary>
    public Task<Outcome> OutcomeAsync(string requestId) => _outcomes[requestId].Task.WaitAsync(TimeSpan.FromSeconds(30));

    public Task<Outcome> InitErrorAsync() => _initError.Task.WaitAsync(TimeSpan.FromSeconds(30));

    /// <summary>Completes when a <c>next</c> call is parked waiting for an event.</summary>
    public Task NextWaitingAsync() => Volatile.Read(ref _nextWaiting).Task.WaitAsync(TimeSpan.FromSeconds(30));

    private async Task HandleAsync(HttpContext http)
    {
        var path = http.Request.Path.Value ?? string.Empty;
        if (!path.StartsWith(Prefix, StringComparison.Ordinal))
        {
            http.Response.StatusCode = StatusCodes.Status404NotFound;
            return;
        }

        var route = path[Prefix.Length..];
        if (HttpMethods.IsGet(http.Request.Method) && route == "invocation/next")
        {
            await NextAsync(http);
            return;
        }

        if (!HttpMethods.IsPost(http.Request.Method))
        {
            http.Response.StatusCode = StatusCodes.Status405MethodNotAllowed;
            return;
        }

        var body = await ReadBodyAsync(http.Request);
        var errorType = http.Request.Headers["Lambda-Runtime-Function-Error-Type"].ToString();
        var contentType = http.Request.ContentType;
        if (route == "init/error")
        {
            var outcome = new Outcome(OutcomeKind.InitError, null, body, errorType, contentType);
            _all.Enqueue(outcome);
            _first.TrySetResult(outcome);
            _initError.TrySetResult(outcome);
            http.Response.StatusCode = InitErrorStatus;
            return;
        }

        var parts = route.Split('/');
        if (parts is ["invocation", var requestId, "response" or "error"] && _outcomes.TryGetValue(Uri.UnescapeDataString(requestId), out var pending))
        {
            var kind = parts[2] == "response" ? OutcomeKind.Response : OutcomeKind.Error;
            var outcome = new Outcome(kind, Uri.UnescapeDataString(requestId), body, errorType, contentType);
            _all.Enqueue(outcome);
            _first.TrySetResult(outcome);
            pending.TrySetResult(outcome);
            http.Response.StatusCode = kind == OutcomeKind.Response ? ResponseStatus(outcome.RequestId!) : StatusCodes.Status202Accepted;
            return;
        }

        // What the real Runtime API answers for an unknown request id.
        http.Response.StatusCode = StatusCodes.Status400BadRequest;
    }

    private async Task NextAsync(HttpContext http)
    {
        Interlocked.Increment(ref _nextCalls);
        PendingEvent next;
        try
        {
            var read = _events.Reader.ReadAsync(http.RequestAborted);
            if (!read.IsCompleted)
            {
                Volatile.Read(ref _nextWaiting).TrySetResult();
            }

            next = await read;
        }
        catch (OperationCanceledException)
        {
            return;
        }

        Interlocked.Exchange(ref _nextWaiting, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
        http.Response.StatusCode = StatusCodes.Status200OK;
        http.Response.ContentType = "application/json";
        http.Response.Headers["Lambda-Runtime-Aws-Request-Id"] = next.RequestId;
        http.Response.Headers["Lambda-Runtime-Deadline-Ms"] = next.Deadline.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture);
        http.Response.Headers["Lambda-Runtime-Invoked-Function-Arn"] = next.FunctionArn;
        if (next.TraceId is not null)
        {
            http.Response.Headers["Lambda-Runtime-Trace-Id"] = next.TraceId;
        }

        await http.Response.Body.WriteAsync(next.Payload);
    }

    private static async Task<byte[]> ReadBodyAsync(HttpRequest request)
    {
        using var buffer = new MemoryStream();
        await request.Body.CopyToAsync(buffer);
        return buffer.ToArray();
    }

    public async ValueTask DisposeAsync()
    {
        _events.Writer.TryComplete();
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }

    private sealed record PendingEvent(string RequestId, byte[] Payload, DateTimeOffset Deadline, string FunctionArn, string? TraceId);
}

public enum OutcomeKind
{
    Response,
    Error,
    InitError,
}

public sealed record Outcome(OutcomeKind Kind, string? RequestId, byte[] Body, string ErrorTypeHeader, string? ContentType)
{
    public string Text => System.Text.Encoding.UTF8.GetString(Body);
}
