using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Queueing.Testing;

namespace Queueing.Actuate.Tests.Support;

/// <summary>One POST /topics/{topic} as IoT Data received it.</summary>
internal sealed record IotPublish(
    string Topic,
    int Qos,
    long? MessageExpiry,
    string Payload,
    IReadOnlyList<KeyValuePair<string, string>> UserProperties,
    int AnsweredStatus,
    string? TraceHeader = null)
{
    public string? CommandId => UserProperties.FirstOrDefault(p => p.Key == "commandId").Value;
}

/// <summary>
/// The AWS IoT Data endpoint, faithful to the Publish contract: it refuses a request whose SigV4 signature does
/// not verify with the test credentials (403, as IoT does), records what was published, and answers what the
/// test scripts (429 throttling, 500, 403, ...) — one answer per attempt, 200 once the script is used up.
/// </summary>
/// <remarks>
/// Not the local stack's IoT Data endpoint (src/Emulators/IoT/Data): the publisher tests script an answer per
/// attempt, and the signature is checked with the test-side <see cref="SigV4Verifier"/>, the independent check.
/// </remarks>
internal sealed class FakeIotData : IAsyncDisposable
{
    private readonly LoopbackHttpServer _server;
    private readonly Queue<int> _script = new();
    private readonly List<IotPublish> _attempts = [];
    private readonly List<string> _signatureFailures = [];
    private readonly Lock _gate = new();

    private FakeIotData(LoopbackHttpServer server) => _server = server;

    public Uri Endpoint => _server.BaseAddress;

    /// <summary>Messages IoT accepted (answered 200): what devices received, in order.</summary>
    public IReadOnlyList<IotPublish> Delivered { get { lock (_gate) { return _attempts.Where(a => a.AnsweredStatus == 200).ToList(); } } }

    public IReadOnlyList<IotPublish> Attempts { get { lock (_gate) { return [.. _attempts]; } } }

    public IReadOnlyList<string> SignatureFailures { get { lock (_gate) { return [.. _signatureFailures]; } } }

    /// <summary>Answers for the next attempts, in order.</summary>
    public void Script(params int[] statuses)
    {
        lock (_gate)
        {
            foreach (var status in statuses)
            {
                _script.Enqueue(status);
            }
        }
    }

    /// <summary>An answer chosen per publish (e.g. fail only one device); consulted when the script is empty.</summary>
    public Func<IotPublish, int>? Rule { get; set; }

    public static async Task<FakeIotData> StartAsync()
    {
        FakeIotData? standIn = null;
        var server = await LoopbackHttpServer.StartAsync(context => standIn!.HandleAsync(context));
        standIn = new FakeIotData(server);
        return standIn;
    }

    private async Task HandleAsync(HttpContext context)
    {
        using var buffer = new MemoryStream();
        await context.Request.Body.CopyToAsync(buffer);
        var body = buffer.ToArray();
        var rawTarget = context.Features.Get<IHttpRequestFeature>()!.RawTarget;
        var headers = context.Request.Headers.ToDictionary(h => h.Key.ToLowerInvariant(), h => h.Value.ToString(), StringComparer.Ordinal);
        var problem = SigV4Verifier.Verify(context.Request.Method, rawTarget, headers, body,
            MotoServerCredentials.AccessKey, MotoServerCredentials.SecretKey, MotoServerCredentials.Region, "iotdata", DateTimeOffset.UtcNow);
        if (problem is not null)
        {
            lock (_gate)
            {
                _signatureFailures.Add(problem);
            }

            await Answer(context, 403, "ForbiddenException", "The request signature we calculated does not match: " + problem);
            return;
        }

        var path = rawTarget.Split('?')[0];
        if (context.Request.Method != "POST" || !path.StartsWith("/topics/", StringComparison.Ordinal))
        {
            await Answer(context, 405, "MethodNotAllowedException", "The specified combination of HTTP verb and URI is not supported.");
            return;
        }

        var publish = new IotPublish(
            Uri.UnescapeDataString(path["/topics/".Length..]),
            int.TryParse(context.Request.Query["qos"], out var qos) ? qos : 0,
            long.TryParse(context.Request.Query["messageExpiry"], out var expiry) ? expiry : null,
            Encoding.UTF8.GetString(body),
            DecodeUserProperties(headers.GetValueOrDefault("x-amz-mqtt5-user-properties")),
            0,
            headers.GetValueOrDefault("x-amzn-trace-id"));
        int status;
        lock (_gate)
        {
            status = _script.Count > 0 ? _script.Dequeue() : Rule?.Invoke(publish) ?? 200;
            _attempts.Add(publish with { AnsweredStatus = status });
        }

        switch (status)
        {
            case 200: context.Response.StatusCode = 200; break;
            case 400: await Answer(context, 400, "InvalidRequestException", "The request is not valid."); break;
            case 403: await Answer(context, 403, "ForbiddenException", "Not authorized to publish to this topic."); break;
            case 413: await Answer(context, 413, "RequestEntityTooLargeException", "The payload exceeds the maximum size allowed."); break;
            case 429: await Answer(context, 429, "ThrottlingException", "Rate exceeded."); break;
            case 503: await Answer(context, 503, "ServiceUnavailableException", "The service is temporarily unavailable."); break;
            default: await Answer(context, status, "InternalFailureException", "An unexpected error has occurred."); break;
        }
    }

    private static List<KeyValuePair<string, string>> DecodeUserProperties(string? header)
    {
        if (header is null)
        {
            return [];
        }

        using var document = JsonDocument.Parse(Convert.FromBase64String(header));
        return document.RootElement.EnumerateArray()
            .SelectMany(item => item.EnumerateObject())
            .Select(p => new KeyValuePair<string, string>(p.Name, p.Value.GetString()!))
            .ToList();
    }

    private static async Task Answer(HttpContext context, int status, string type, string message)
    {
        context.Response.StatusCode = status;
        context.Response.Headers["x-amzn-ErrorType"] = type;
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(JsonSerializer.Serialize(new Dictionary<string, string> { ["message"] = message }));
    }

    public ValueTask DisposeAsync() => _server.DisposeAsync();
}

internal static class MotoServerCredentials
{
    public const string AccessKey = MotoServer.AccessKey;
    public const string SecretKey = MotoServer.SecretKey;
    public const string Region = MotoServer.Region;
}
