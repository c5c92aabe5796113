using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Queueing.Actuate.Commands;
using Queueing.Contracts.Commands;
using Queueing.Contracts.Events;
using Queueing.Contracts.Json;
using Queueing.Contracts.Time;
using Queueing.Shared.Metrics;
using Queueing.Shared.Runtime;

namespace Queueing.Actuate.Api;

/// <summary>
/// <c>POST /commands</c> (HTTP API, payload format 2.0): authenticate, validate, enqueue, answer. Every request
/// gets an answer — 202 or an RFC 9457 problem — and nothing is enqueued unless the answer is 202.
/// </summary>
internal sealed partial class CommandApiFunction : JsonFunction<HttpApiRequest, HttpApiResponse>
{
    public const string HandlerName = "command-api";
    public const string Route = "/commands";

    // Leaves time to answer 503 before Lambda's own timeout would turn the request into a bare 500.
    private static readonly TimeSpan SafetyMargin = TimeSpan.FromMilliseconds(500);

    private readonly CommandApiSettings _settings;
    private readonly SignatureVerifier _verifier;
    private readonly CommandRequestParser _parser;
    private readonly CommandQueueWriter _queue;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;

    public CommandApiFunction(
        CommandApiSettings settings,
        SignatureVerifier verifier,
        CommandQueueWriter queue,
        TimeProvider time,
        ILogger logger)
        : base(SharedJsonContext.Default.HttpApiRequest, SharedJsonContext.Default.HttpApiResponse)
    {
        _settings = settings;
        _verifier = verifier;
        _parser = new CommandRequestParser(settings.TtlDefaultSeconds, settings.TtlMaxSeconds);
        _queue = queue;
        _time = time;
        _logger = logger;
    }

    public override async Task<HttpApiResponse> HandleAsync(HttpApiRequest request, InvocationContext context, CancellationToken cancellationToken)
    {
        var instance = "urn:queueing:request:" + (request.RequestContext?.RequestId ?? context.RequestId);
        var metrics = context.Metrics;
        try
        {
            using var budget = context.CreateBudget(SafetyMargin, cancellationToken);
            var (accepted, problem) = await AcceptAsync(request, context.TraceId, budget.Token);
            if (problem is not null)
            {
                metrics.Count(CommandApiMetricNames.Refused);
                LogRefused(problem.Status, problem.Type, problem.Detail);
                return problem.ToResponse(instance);
            }

            metrics.Count(CommandApiMetricNames.Accepted);
            return new HttpApiResponse
            {
                StatusCode = 202,
                Headers = new Dictionary<string, string> { ["Content-Type"] = "application/json" },
                Body = JsonSerializer.Serialize(accepted!, ApiJsonContext.Default.CommandAccepted),
            };
        }
        // Boundary: a function error would reach the caller as API Gateway's bare 500 without a problem document,
        // so whatever escaped is answered here, and logged with its stack for the operator.
        catch (Exception ex)
        {
            metrics.Count(CommandApiMetricNames.Faults);
            LogFault(ex, ex.GetType().Name);
            return Problem.Internal("The command API failed unexpectedly; the command was not accepted.").ToResponse(instance);
        }
    }

    private async Task<(CommandAccepted?, Problem?)> AcceptAsync(HttpApiRequest request, string? traceHeader, CancellationToken cancellationToken)
    {
        if (RouteProblem(request) is { } routeProblem)
        {
            return (null, routeProblem);
        }

        if (!TryReadBody(request, out var body))
        {
            return (null, Problem.Invalid("The body is marked base64-encoded but is not valid base64.", [new ProblemError("#", "not base64")]));
        }

        // Checked before the signature: the key is part of the string to sign, which must not be readable two ways.
        var idempotencyKey = request.Header(CommandSignature.IdempotencyKeyHeader);
        if (idempotencyKey is not null && !CommandIdentity.IsValidIdempotencyKey(idempotencyKey))
        {
            return (null, Problem.Invalid(
                $"The {CommandSignature.IdempotencyKeyHeader} header must be 1 to {CommandIdentity.MaxIdempotencyKeyLength} printable ASCII characters without spaces.",
                [new ProblemError("#", $"invalid {CommandSignature.IdempotencyKeyHeader} header")]));
        }

        var signed = new SignedRequest(request.Header(CommandSignature.TimestampHeader) ?? string.Empty, request.RequestContext!.Http!.Method!, RawPath(request), idempotencyKey, body);
        var authProblem = await AuthenticateAsync(signed, request.Header(CommandSignature.SignatureHeader), cancellationToken);
        if (authProblem is not null)
        {
            return (null, authProblem);
        }

        if (ContentTypeProblem(request.Header("Content-Type")) is { } mediaProblem)
        {
            return (null, mediaProblem);
        }

        var (parsed, problem) = _parser.Parse(body);
        if (problem is not null)
        {
            return (null, problem);
        }

        var deduplicationId = CommandIdentity.DeduplicationId(parsed!.DeviceId, signed);
        var command = NewCommand(parsed, deduplicationId);
        // The replay window assumes an accepted request reaches SQS within ReplayWindow.EnqueueBound of its check.
        using var enqueueBudget = new CancellationTokenSource(ReplayWindow.EnqueueBound, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, enqueueBudget.Token);
        var queueProblem = await _queue.EnqueueAsync(command, deduplicationId, traceHeader, linked.Token);
        if (queueProblem is not null)
        {
            return (null, queueProblem);
        }

        LogAccepted(command.CommandId, command.DeviceId, command.Topic, IsoTime.Format(command.ExpiresAt), idempotencyKey is not null);
        return (new CommandAccepted(command.CommandId, command.DeviceId, command.Topic, IsoTime.Format(command.ExpiresAt)), null);
    }

    private Command NewCommand(CommandRequest request, string deduplicationId)
    {
        var acceptedAt = IsoTime.TruncateToMilliseconds(_time.GetUtcNow());
        return new Command(
            CommandIdentity.CommandId(request.DeviceId, deduplicationId),
            request.DeviceId,
            _settings.TopicTemplate.TopicFor(request.DeviceId),
            request.Qos,
            request.PayloadJson,
            acceptedAt,
            acceptedAt.AddSeconds(request.TtlSeconds));
    }

    private async Task<Problem?> AuthenticateAsync(SignedRequest signed, string? signature, CancellationToken cancellationToken)
    {
        try
        {
            return await _verifier.VerifyAsync(signed, signature, cancellationToken) is { } refusal ? Problem.Unauthorized(refusal) : null;
        }
        catch (Exception ex) when (AwsFailures.IsTransient(ex))
        {
            LogSecretUnavailable(ex.Message);
            return Problem.Unavailable("The signing secret cannot be read right now; the command was not accepted.");
        }
        catch (Exception ex) when (AwsFailures.IsConfiguration(ex))
        {
            LogSecretUnavailable(ex.Message);
            return Problem.Internal("The signing secret is not configured; the command was not accepted.");
        }
    }

    internal static Problem? RouteProblem(HttpApiRequest request)
    {
        var method = request.RequestContext?.Http?.Method ?? "(none)";
        var path = RawPath(request);
        // Outside the $default stage, HTTP API puts the stage name in front of the route's path.
        var stage = request.RequestContext?.Stage;
        if (stage is { Length: > 0 } && stage != "$default" && path.StartsWith("/" + stage + "/", StringComparison.Ordinal))
        {
            path = path[(stage.Length + 1)..];
        }

        if (path.Length > 1 && path.EndsWith('/'))
        {
            path = path[..^1];
        }

        if (!string.Equals(path, Route, StringComparison.Ordinal))
        {
            return Problem.NotFound(method, path);
        }

        return string.Equals(method, "POST", StringComparison.OrdinalIgnoreCase) ? null : Problem.MethodNotAllowed(method);
    }

    /// <summary>The path as the caller sent it, stage included: what the caller signed.</summary>
    private static string RawPath(HttpApiRequest request) => request.RawPath ?? request.RequestContext?.Http?.Path ?? "/";

    internal static bool TryReadBody(HttpApiRequest request, out ReadOnlyMemory<byte> body)
    {
        if (string.IsNullOrEmpty(request.Body))
        {
            body = ReadOnlyMemory<byte>.Empty;
            return true;
        }

        if (!request.IsBase64Encoded)
        {
            body = Encoding.UTF8.GetBytes(request.Body);
            return true;
        }

        var bytes = new byte[request.Body.Length / 4 * 3 + 3];
        if (Convert.TryFromBase64String(request.Body, bytes, out var written))
        {
            body = bytes.AsMemory(0, written);
            return true;
        }

        body = ReadOnlyMemory<byte>.Empty;
        return false;
    }

    /// <summary>application/json, optionally with charset=utf-8 (the signature is over UTF-8 bytes).</summary>
    internal static Problem? ContentTypeProblem(string? contentType)
    {
        var parts = (contentType ?? string.Empty).Split(';', StringSplitOptions.TrimEntries);
        var ok = string.Equals(parts[0], "application/json", StringComparison.OrdinalIgnoreCase);
        foreach (var parameter in parts.Skip(1))
        {
            var equals = parameter.IndexOf('=', StringComparison.Ordinal);
            if (equals > 0 && string.Equals(parameter[..equals].Trim(), "charset", StringComparison.OrdinalIgnoreCase)
                && !string.Equals(parameter[(equals + 1)..].Trim().Trim('"'), "utf-8", StringComparison.OrdinalIgnoreCase))
            {
                ok = false;
            }
        }

        return ok ? null : Problem.UnsupportedMediaType(
            contentType is null ? "The Content-Type header is missing; send application/json." : $"Content-Type '{contentType}' is not accepted; send application/json (UTF-8).");
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Accepted command {CommandId} for {DeviceId} on {Topic}, expires {ExpiresAt} (idempotency key: {HasIdempotencyKey})")]
    private partial void LogAccepted(string commandId, string deviceId, string topic, string expiresAt, bool hasIdempotencyKey);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Refused a command with {Status} {ProblemType}: {Detail}")]
    private partial void LogRefused(int status, string problemType, string detail);

    [LoggerMessage(Level = LogLevel.Error, Message = "The signing secret could not be read: {Reason}")]
    private partial void LogSecretUnavailable(string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "The command API failed with {ErrorType}")]
    private partial void LogFault(Exception exception, string errorType);
}
