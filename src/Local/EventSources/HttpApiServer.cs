using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Queueing.Contracts.Json;
using Queueing.Emulators.Hosting;
using Queueing.Emulators.Lambda;
using Queueing.Local.Events;

namespace Queueing.Local.EventSources;

/// <summary>
/// An API Gateway HTTP API on 127.0.0.1: each request is routed as HTTP API routes (see
/// <see cref="HttpApiRouteTable"/>), turned into a payload format 2.0 event by the same builder as
/// <c>generate-event http</c>, passed to the route's function, and the function's response mapped back as HTTP API
/// maps it (<see cref="LambdaProxyResponse"/>). Every response carries <c>apigw-requestid</c>.
/// </summary>
internal sealed partial class HttpApiServer : IAsyncDisposable
{
    // API Gateway's own answers. HTTP API answers an integration timeout with 503 {"message":"Service Unavailable"}
    // (not REST API's 504): the maximum integration timeout is 30 s (HTTP API quotas), and a timed-out HTTP API
    // request is seen to return "HTTP/2 503 ... apigw-requestid ... {"message":"Service Unavailable"}"
    // (github.com/cortexlabs/cortex/issues/1225). A failed invoke (handler error, Lambda's own timeout, ...) is
    // {"message":"Internal Server Error"} (HTTP API guide, "Troubleshooting issues with HTTP API Lambda integrations").
    private static readonly byte[] NotFoundBody = """{"message":"Not Found"}"""u8.ToArray();
    private static readonly byte[] InternalErrorBody = """{"message":"Internal Server Error"}"""u8.ToArray();
    private static readonly byte[] UnavailableBody = """{"message":"Service Unavailable"}"""u8.ToArray();
    private static readonly byte[] TooLargeBody = """{"message":"Request Entity Too Large"}"""u8.ToArray();

    // Kestrel computes these from the body it writes; a function's value would conflict with it.
    private static readonly HashSet<string> HopHeaders = new(StringComparer.OrdinalIgnoreCase) { "content-length", "transfer-encoding", "connection" };

    private readonly HttpApiRouteTable _routes;
    private readonly HttpApiServerOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stopping = new();
    private readonly ConcurrentDictionary<Task, bool> _lateInvocations = new();
    private LoopbackHttpHost? _host;
    private Uri? _baseAddress;
    private readonly HttpApiCounters _counts = new();

    /// <exception cref="ArgumentException">The routes have problems (all reported together): duplicate route keys,
    /// a payload format other than 2.0, a malformed path, an unknown method, a timeout outside 50..30000 ms.</exception>
    public HttpApiServer(
        string apiLogicalId,
        IEnumerable<HttpApiRoute> routes,
        HttpApiServerOptions? options = null,
        TimeProvider? time = null,
        ILoggerFactory? loggers = null)
    {
        ApiLogicalId = apiLogicalId;
        _routes = HttpApiRouteTable.Create(apiLogicalId, routes);
        _options = options ?? new HttpApiServerOptions();
        _time = time ?? TimeProvider.System;
        _logger = (loggers ?? NullLoggerFactory.Instance).CreateLogger<HttpApiServer>();
    }

    public string ApiLogicalId { get; }

    /// <summary><c>http://127.0.0.1:port/</c> once started.</summary>
    public Uri BaseAddress => _baseAddress ?? throw new InvalidOperationException($"The HTTP API '{ApiLogicalId}' is not started.");

    public HttpApiCounters Counters => _counts.Snapshot();

    public IReadOnlyList<string> RouteKeys => _routes.RouteKeys;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        _host = await LoopbackHttpHost.StartAsync(
            HandleAsync,
            new LoopbackHttpHostOptions
            {
                Port = _options.Port,
                // Our own check answers 413 the API Gateway way; Kestrel's limit would answer before we can.
                Limits = limits => limits.MaxRequestBodySize = null,
            },
            cancellationToken);
        _baseAddress = _host.BaseAddress;
        LogStarted(ApiLogicalId, _baseAddress, string.Join(", ", RouteKeys));
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_host is { } host)
        {
            await _stopping.CancelAsync();
            await host.StopAsync(cancellationToken);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        if (_host is { } host)
        {
            _host = null;
            await host.DisposeAsync();
        }

        // Invocations the gateway gave up on still run (as on AWS); they saw the stop token, give them a moment.
        await Task.WhenAll(_lateInvocations.Keys).WaitAsync(TimeSpan.FromSeconds(2)).ContinueWith(_ => { }, TaskScheduler.Default);
        _stopping.Dispose();
    }

    private async Task HandleAsync(HttpContext context)
    {
        Interlocked.Increment(ref _counts.Requests);
        var requestId = HttpApiEventBuilder.NewRequestId();
        context.Response.Headers["apigw-requestid"] = requestId;
        await AnswerAsync(context, requestId);
    }

    /// <summary>Answers the request; returns the status sent (counted before the client can see it).</summary>
    private async Task<int> AnswerAsync(HttpContext context, string requestId)
    {
        var request = context.Request;
        var rawTarget = context.Features.Get<IHttpRequestFeature>()!.RawTarget;
        var queryStart = rawTarget.IndexOf('?', StringComparison.Ordinal);
        var rawPath = queryStart < 0 ? rawTarget : rawTarget[..queryStart];
        var rawQuery = queryStart < 0 ? string.Empty : rawTarget[(queryStart + 1)..];

        var match = _routes.Match(request.Method, rawPath);
        if (match is null)
        {
            Interlocked.Increment(ref _counts.Unmatched);
            LogUnmatched(ApiLogicalId, request.Method, rawPath);
            return await WriteAsync(context, StatusCodes.Status404NotFound, NotFoundBody);
        }

        var body = await LimitedRequestBody.ReadAsync(request, _options.MaxRequestBodyBytes, context.RequestAborted);
        if (body is null)
        {
            return await WriteAsync(context, StatusCodes.Status413PayloadTooLarge, TooLargeBody);
        }

        var route = match.Route;
        var payload = JsonSerializer.SerializeToUtf8Bytes(BuildEvent(context, rawPath, rawQuery, body, match, requestId), SharedJsonContext.Default.HttpApiRequest);

        // The timer starts before the invoke, so the integration timeout covers all of it (a cold start included).
        using var integrationTimeout = new CancellationTokenSource(route.IntegrationTimeout, _time);
        Task<InvocationResult>? invocation = null;
        InvocationResult result;
        try
        {
            // Not the client's token: on AWS a client hanging up does not stop the function.
            invocation = route.Invoke(payload, _stopping.Token);
            result = await invocation.WaitAsync(integrationTimeout.Token);
        }
        catch (OperationCanceledException) when (integrationTimeout.IsCancellationRequested && !_stopping.IsCancellationRequested)
        {
            Interlocked.Increment(ref _counts.Timeouts);
            LogIntegrationTimeout(route.RouteKey, route.FunctionLogicalId, route.IntegrationTimeout.TotalMilliseconds, requestId);
            if (invocation is not null)
            {
                KeepRunning(invocation, route, requestId);
            }

            return await WriteAsync(context, StatusCodes.Status503ServiceUnavailable, UnavailableBody);
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
            return await WriteAsync(context, StatusCodes.Status503ServiceUnavailable, UnavailableBody);
        }
        catch (Exception ex)
        {
            // Boundary: an invoker that throws is an integration failure for this request, not for the server.
            Interlocked.Increment(ref _counts.FunctionErrors);
            LogInvokerFailed(ex, route.RouteKey, route.FunctionLogicalId, requestId);
            return await WriteAsync(context, StatusCodes.Status500InternalServerError, InternalErrorBody);
        }

        if (result.IsError)
        {
            Interlocked.Increment(ref _counts.FunctionErrors);
            LogFunctionError(route.RouteKey, route.FunctionLogicalId, result.ErrorType ?? result.Outcome.ToString(), requestId);
            return await WriteAsync(context, StatusCodes.Status500InternalServerError, InternalErrorBody);
        }

        if (LambdaProxyResponse.Map(result.Payload, out var problem) is not { } response)
        {
            LogInvalidResponse(route.RouteKey, route.FunctionLogicalId, problem!, requestId);
            return await WriteAsync(context, StatusCodes.Status500InternalServerError, InternalErrorBody);
        }

        Count(response.StatusCode);
        context.Response.StatusCode = response.StatusCode;
        foreach (var (name, value) in response.Headers)
        {
            if (!HopHeaders.Contains(name))
            {
                context.Response.Headers[name] = value;
            }
        }

        foreach (var cookie in response.Cookies)
        {
            context.Response.Headers.Append("set-cookie", cookie);
        }

        // Kestrel refuses a body on 204 and 304 (HTTP forbids one) and drops it for HEAD.
        if (response.StatusCode is not (StatusCodes.Status204NoContent or StatusCodes.Status304NotModified) && !HttpMethods.IsHead(context.Request.Method))
        {
            await context.Response.Body.WriteAsync(response.Body, context.RequestAborted);
        }

        return response.StatusCode;
    }

    private Queueing.Contracts.Events.HttpApiRequest BuildEvent(
        HttpContext context, string rawPath, string rawQuery, byte[] body, HttpApiRouteMatch match, string requestId)
    {
        var request = context.Request;
        var now = _time.GetUtcNow();
        var sourceIp = context.Connection.RemoteIpAddress?.ToString() ?? "127.0.0.1";
        var headers = new List<KeyValuePair<string, string>>();
        foreach (var (name, values) in request.Headers)
        {
            headers.AddRange(values.Select(value => KeyValuePair.Create(name, value ?? string.Empty)));
        }

        // What API Gateway adds on the way to the integration; a client's X-Forwarded-For gets the caller appended.
        headers.Add(KeyValuePair.Create("x-forwarded-for", sourceIp));
        headers.Add(KeyValuePair.Create("x-forwarded-port", context.Connection.LocalPort.ToString(CultureInfo.InvariantCulture)));
        headers.Add(KeyValuePair.Create("x-forwarded-proto", request.Scheme));
        if (!request.Headers.ContainsKey("x-amzn-trace-id"))
        {
            headers.Add(KeyValuePair.Create("x-amzn-trace-id",
                $"Root=1-{now.ToUnixTimeSeconds().ToString("x8", CultureInfo.InvariantCulture)}-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(12))}"));
        }

        return HttpApiEventBuilder.Build(new HttpApiRequestParts
        {
            Method = request.Method,
            RawPath = rawPath,
            RawQueryString = rawQuery,
            Headers = headers,
            Body = body,
            Protocol = request.Protocol,
            SourceIp = sourceIp,
            RouteKey = match.Route.RouteKey,
            PathParameters = match.PathParameters,
            // The host the client called, as on AWS (the execute-api host or a custom domain).
            DomainName = request.Host.HasValue ? request.Host.Value : BaseAddress.Authority,
            ApiId = _options.ApiId,
            AccountId = _options.AccountId,
            RequestId = requestId,
            Time = now,
        });
    }

    /// <summary>The gateway answered 503, the function goes on (as on AWS); its result is only logged.</summary>
    private void KeepRunning(Task<InvocationResult> invocation, HttpApiRoute route, string requestId)
    {
        var late = invocation.ContinueWith(
            finished =>
            {
                if (finished.IsCompletedSuccessfully)
                {
                    LogLateResult(route.FunctionLogicalId, finished.Result.Outcome.ToString(), requestId);
                }
            },
            CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);
        _lateInvocations[late] = true;
        _ = late.ContinueWith(t => _lateInvocations.TryRemove(t, out _), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }

    private async Task<int> WriteAsync(HttpContext context, int status, byte[] body)
    {
        Count(status);
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        await context.Response.Body.WriteAsync(body, context.RequestAborted);
        return status;
    }

    private void Count(int status)
    {
        switch (status / 100)
        {
            case 2:
                Interlocked.Increment(ref _counts.Responses2xx);
                break;
            case 4:
                Interlocked.Increment(ref _counts.Responses4xx);
                break;
            case 5:
                Interlocked.Increment(ref _counts.Responses5xx);
                break;
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "HTTP API {ApiLogicalId} listening on {BaseAddress}: {Routes}")]
    private partial void LogStarted(string apiLogicalId, Uri baseAddress, string routes);

    [LoggerMessage(Level = LogLevel.Information, Message = "HTTP API {ApiLogicalId}: no route for {Method} {Path} and no $default (404)")]
    private partial void LogUnmatched(string apiLogicalId, string method, string path);

    [LoggerMessage(Level = LogLevel.Warning, Message = "HTTP API route {RouteKey}: {Function} did not answer within {TimeoutMs} ms (503), request {RequestId}")]
    private partial void LogIntegrationTimeout(string routeKey, string function, double timeoutMs, string requestId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "HTTP API route {RouteKey}: {Function} failed with {ErrorType} (500), request {RequestId}")]
    private partial void LogFunctionError(string routeKey, string function, string errorType, string requestId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "HTTP API route {RouteKey}: {Function} returned a response API Gateway cannot use: {Problem} (500), request {RequestId}")]
    private partial void LogInvalidResponse(string routeKey, string function, string problem, string requestId);

    [LoggerMessage(Level = LogLevel.Error, Message = "HTTP API route {RouteKey}: invoking {Function} threw (500), request {RequestId}")]
    private partial void LogInvokerFailed(Exception exception, string routeKey, string function, string requestId);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Function} finished request {RequestId} after the gateway timed out: {Outcome}")]
    private partial void LogLateResult(string function, string outcome, string requestId);
}
