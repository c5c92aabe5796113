using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Queueing.Emulators.Hosting;
using Queueing.Emulators.IoT.Broker;

namespace Queueing.Emulators.IoT.Data;

/// <summary>
/// The local IoT Data endpoint (the account's <c>*-ats.iot</c> host): <c>POST /topics/{topic}?qos=N</c> signed with
/// SigV4 for service <c>iotdata</c>, published into the <see cref="MqttBroker"/> with the MQTT 5 user properties of
/// <c>x-amz-mqtt5-user-properties</c>. Answers as the IoT Data Plane API does: 403 ForbiddenException for a bad,
/// missing or expired signature, 400 InvalidRequestException, 413 RequestEntityTooLargeException, 405
/// MethodNotAllowedException; errors carry <c>x-amzn-ErrorType</c> and a <c>{"message"}</c> body.
/// </summary>
public sealed partial class IotDataEndpoint : IAsyncDisposable
{
    public const string Service = "iotdata";
    private const string TopicsPrefix = "/topics/";
    private const string UserPropertiesHeader = "x-amz-mqtt5-user-properties";
    private const string TraceHeader = "X-Amzn-Trace-Id";
    private const int KeptPublishes = 256;

    // Publish parameters AWS accepts that the local broker does not carry; refused rather than silently dropped.
    private static readonly string[] NotEmulatedParameters = ["contentType", "responseTopic"];

    private readonly IotDataEndpointOptions _options;
    private readonly MqttBroker _broker;
    private readonly SigV4Verifier _verifier;
    private readonly ILogger _logger;
    private LoopbackHttpHost? _host;
    private readonly IotDataCounters _counts = new();
    private readonly System.Collections.Concurrent.ConcurrentQueue<IotDataPublish> _recent = new();

    public IotDataEndpoint(IotDataEndpointOptions options, MqttBroker broker, TimeProvider? time = null, ILoggerFactory? loggers = null)
    {
        _options = options;
        _broker = broker;
        _verifier = new SigV4Verifier(options.Credentials, options.Region, Service, time ?? TimeProvider.System, options.AllowedClockSkew);
        _logger = (loggers ?? NullLoggerFactory.Instance).CreateLogger<IotDataEndpoint>();
    }

    /// <summary><c>http://127.0.0.1:port/</c> after start: the endpoint to give a publisher.</summary>
    public Uri BaseAddress { get; private set; } = new("http://127.0.0.1/");

    /// <summary>The last publishes accepted (at most 256), oldest first.</summary>
    public IReadOnlyList<IotDataPublish> RecentPublishes => [.. _recent];

    public IotDataCounters Counters => _counts.Snapshot();

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        _host = await LoopbackHttpHost.StartAsync(
            HandleAsync,
            new LoopbackHttpHostOptions
            {
                Port = _options.Port,
                // Our own 128 KB check answers 413 the AWS way; Kestrel's limit only guards against absurd bodies.
                Limits = limits => limits.MaxRequestBodySize = Math.Max(_options.MaxPayloadBytes * 8L, 1 << 20),
            },
            cancellationToken);
        BaseAddress = _host.BaseAddress;
        LogStarted(BaseAddress);
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_host is { } host)
        {
            await host.StopAsync(cancellationToken);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_host is { } host)
        {
            _host = null;
            await host.DisposeAsync();
        }
    }

    private async Task HandleAsync(HttpContext context)
    {
        var request = context.Request;
        var rawTarget = context.Features.Get<IHttpRequestFeature>()!.RawTarget;
        var queryStart = rawTarget.IndexOf('?', StringComparison.Ordinal);
        var rawPath = queryStart < 0 ? rawTarget : rawTarget[..queryStart];
        if (!rawPath.StartsWith(TopicsPrefix, StringComparison.Ordinal))
        {
            await AnswerErrorAsync(context, StatusCodes.Status404NotFound, "ResourceNotFoundException", $"No IoT Data operation at {rawPath}.");
            return;
        }

        if (!HttpMethods.IsPost(request.Method))
        {
            await AnswerErrorAsync(context, StatusCodes.Status405MethodNotAllowed, "MethodNotAllowedException", $"The method {request.Method} is not allowed on {rawPath}.");
            return;
        }

        var body = await LimitedRequestBody.ReadAsync(request, _options.MaxPayloadBytes, context.RequestAborted);
        if (body is null)
        {
            Interlocked.Increment(ref _counts.TooLarge);
            await AnswerErrorAsync(context, StatusCodes.Status413PayloadTooLarge, "RequestEntityTooLargeException", $"The payload exceeds the maximum size of {_options.MaxPayloadBytes} bytes.");
            return;
        }

        var verification = _verifier.Verify(request.Method, rawTarget, request.Headers, body);
        if (!verification.IsValid)
        {
            Interlocked.Increment(ref _counts.Forbidden);
            LogForbidden(rawPath, verification.Error!);
            await AnswerErrorAsync(context, StatusCodes.Status403Forbidden, "ForbiddenException", verification.Error!);
            return;
        }

        var topic = Uri.UnescapeDataString(rawPath[TopicsPrefix.Length..]);
        var queryProblem = ProblemWithQuery(request.Query, out var qos, out var retain, out var messageExpiry);
        var propertiesProblem = ParseUserProperties(request.Headers[UserPropertiesHeader].ToString(), out var userProperties);
        var problem = ProblemWithTopic(topic) ?? queryProblem ?? propertiesProblem;
        if (problem is not null)
        {
            Interlocked.Increment(ref _counts.BadRequests);
            LogBadRequest(topic, problem);
            await AnswerErrorAsync(context, StatusCodes.Status400BadRequest, "InvalidRequestException", problem);
            return;
        }

        await _broker.PublishAsync(topic, body, qos, userProperties, retain, context.RequestAborted, messageExpiry);
        Interlocked.Increment(ref _counts.Published);
        var trace = request.Headers[TraceHeader].ToString();
        _recent.Enqueue(new IotDataPublish(topic, trace.Length == 0 ? null : trace));
        while (_recent.Count > KeptPublishes && _recent.TryDequeue(out _))
        {
        }

        context.Response.StatusCode = StatusCodes.Status200OK;
        context.Response.ContentType = "application/json";
        await JsonSerializer.SerializeAsync(context.Response.Body, new PublishAnswer("OK", Guid.NewGuid().ToString()), IotDataJsonContext.Default.PublishAnswer, context.RequestAborted);
    }

    private static string? ProblemWithTopic(string topic)
    {
        if (MqttTopics.ProblemWithTopicName(topic) is { } problem)
        {
            return problem;
        }

        // $aws/ topics are AWS's own (shadows, jobs, rules); the local broker emulates none of them.
        return topic.StartsWith("$aws/", StringComparison.OrdinalIgnoreCase)
            ? $"The topic '{topic}' is reserved by AWS IoT ($aws/...); the local IoT Data endpoint publishes only to your own topics."
            : null;
    }

    private static string? ProblemWithQuery(IQueryCollection query, out int qos, out bool retain, out uint? messageExpiry)
    {
        qos = 0;
        retain = false;
        messageExpiry = null;
        if (query.TryGetValue("qos", out var qosText))
        {
            if (qosText.ToString() is "0" or "1")
            {
                qos = qosText.ToString() == "1" ? 1 : 0;
            }
            else
            {
                return $"qos must be 0 or 1, not '{qosText}'.";
            }
        }

        if (query.TryGetValue("retain", out var retainText) && !bool.TryParse(retainText.ToString(), out retain))
        {
            return $"retain must be true or false, not '{retainText}'.";
        }

        // messageExpiry: seconds, passed on as the MQTT 5 Message Expiry Interval (a 32-bit unsigned integer).
        if (query.TryGetValue("messageExpiry", out var expiryText))
        {
            if (!uint.TryParse(expiryText.ToString(), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var seconds))
            {
                return $"messageExpiry must be a whole number of seconds, not '{expiryText}'.";
            }

            messageExpiry = seconds;
        }

        var notEmulated = NotEmulatedParameters.Where(query.ContainsKey).ToList();
        return notEmulated.Count > 0 ? $"The local IoT Data endpoint does not emulate {string.Join(", ", notEmulated)}." : null;
    }

    /// <summary>The header is base64 of a JSON array of objects, e.g. <c>[{"commandId":"c-1"},{"k":"v"}]</c>; each
    /// member becomes one MQTT 5 user property, in order.</summary>
    private static string? ParseUserProperties(string header, out IReadOnlyList<KeyValuePair<string, string>> properties)
    {
        properties = [];
        if (header.Length == 0)
        {
            return null;
        }

        const string Shape = $"{UserPropertiesHeader} must be base64 of a JSON array of objects with string values, e.g. [{{\"name\":\"value\"}}].";
        byte[] json;
        try
        {
            json = Convert.FromBase64String(header);
        }
        catch (FormatException)
        {
            return Shape;
        }

        var list = new List<KeyValuePair<string, string>>();
        try
        {
            using var document = JsonDocument.Parse(json);
            if (document.RootElement.ValueKind != JsonValueKind.Array)
            {
                return Shape;
            }

            foreach (var item in document.RootElement.EnumerateArray())
            {
                if (item.ValueKind != JsonValueKind.Object)
                {
                    return Shape;
                }

                foreach (var member in item.EnumerateObject())
                {
                    if (JsonHeaderValue.From(member.Value) is not { } value)
                    {
                        return Shape;
                    }

                    list.Add(KeyValuePair.Create(member.Name, value));
                }
            }
        }
        catch (JsonException)
        {
            return Shape;
        }

        properties = list;
        return null;
    }

    private static async Task AnswerErrorAsync(HttpContext context, int status, string errorType, string message)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        context.Response.Headers["x-amzn-ErrorType"] = errorType;
        await JsonSerializer.SerializeAsync(context.Response.Body, new ErrorAnswer(message), IotDataJsonContext.Default.ErrorAnswer, context.RequestAborted);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "IoT Data endpoint listening on {BaseAddress}")]
    private partial void LogStarted(Uri baseAddress);

    [LoggerMessage(Level = LogLevel.Warning, Message = "IoT Data publish to {Path} refused (403): {Reason}")]
    private partial void LogForbidden(string path, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "IoT Data publish to {Topic} refused (400): {Reason}")]
    private partial void LogBadRequest(string topic, string reason);
}

internal sealed record ErrorAnswer(string Message);

internal sealed record PublishAnswer(string Message, string TraceId);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(ErrorAnswer))]
[JsonSerializable(typeof(PublishAnswer))]
internal sealed partial class IotDataJsonContext : JsonSerializerContext;
