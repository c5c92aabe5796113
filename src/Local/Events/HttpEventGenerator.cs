using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Queueing.Contracts.Commands;
using Queueing.Contracts.Events;
using Queueing.Emulators.Template;

namespace Queueing.Local.Events;

/// <summary>What <c>generate-event http</c> was asked for.</summary>
internal sealed record HttpEventOptions
{
    /// <summary>The request path, optionally with a query string.</summary>
    public string Path { get; init; } = QueueingApplication.CommandsPath;
    public string Method { get; init; } = "POST";

    /// <summary>The request body; null gives a sample command request for methods with a body.</summary>
    public string? Body { get; init; }
    public IReadOnlyList<KeyValuePair<string, string>> Headers { get; init; } = [];
    public string Region { get; init; } = "us-east-1";

    /// <summary>When set, sign the body as the command API expects (docs/commands.md) with this shared secret.</summary>
    public string? SigningSecret { get; init; }
}

/// <summary>An API Gateway HTTP API event, payload format 2.0, as Lambda receives it.</summary>
internal sealed class HttpEventGenerator
{
    private const string ApiId = "local00api";
    private const string SampleCommand = """{"deviceId":"lamp-1","payload":{"lightStatus":"on"},"ttlSeconds":60}""";
    private readonly TimeProvider _time;

    public HttpEventGenerator(TimeProvider time) => _time = time;

    public HttpApiRequest Generate(HttpEventOptions options)
    {
        var method = options.Method.ToUpperInvariant();
        var question = options.Path.IndexOf('?', StringComparison.Ordinal);
        var path = question < 0 ? options.Path : options.Path[..question];
        if (!path.StartsWith('/'))
        {
            path = "/" + path;
        }

        var query = question < 0 ? string.Empty : options.Path[(question + 1)..];
        var body = options.Body ?? (method is "POST" or "PUT" or "PATCH" ? SampleCommand : null);
        var now = _time.GetUtcNow();
        var domain = $"{ApiId}.execute-api.{options.Region}.amazonaws.com";

        // What a client and API Gateway put in the headers of a request to the API.
        var headers = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["host"] = domain,
            ["user-agent"] = "queueing-local",
            ["x-forwarded-for"] = "127.0.0.1",
            ["x-forwarded-port"] = "443",
            ["x-forwarded-proto"] = "https",
            ["x-amzn-trace-id"] = $"Root=1-{now.ToUnixTimeSeconds():x8}-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(12))}",
        };
        if (body is not null)
        {
            headers["content-type"] = "application/json";
            headers["content-length"] = Encoding.UTF8.GetByteCount(body).ToString(CultureInfo.InvariantCulture);
        }

        if (options.SigningSecret is { } secret)
        {
            var idempotencyKey = options.Headers.LastOrDefault(h => string.Equals(h.Key, CommandSignature.IdempotencyKeyHeader, StringComparison.OrdinalIgnoreCase)).Value;
            var timestamp = CommandSignature.Timestamp(now);
            var signature = CommandSignature.Sign(secret, new SignedRequest(timestamp, method, path, idempotencyKey, Encoding.UTF8.GetBytes(body ?? string.Empty)));
            headers[CommandSignature.TimestampHeader.ToLowerInvariant()] = timestamp;
            headers[CommandSignature.SignatureHeader.ToLowerInvariant()] = signature;
        }

        // A header given on the command line replaces the default of that name; given twice, the values join.
        var explicitNames = options.Headers.Select(h => h.Key.ToLowerInvariant()).ToHashSet(StringComparer.Ordinal);
        var routeKey = $"{method} {path}";
        return HttpApiEventBuilder.Build(new HttpApiRequestParts
        {
            Method = method,
            RawPath = path,
            RawQueryString = query,
            Headers = [.. headers.Where(h => !explicitNames.Contains(h.Key)), .. options.Headers],
            Body = body is null ? null : Encoding.UTF8.GetBytes(body),
            RouteKey = routeKey,
            DomainName = domain,
            ApiId = ApiId,
            AccountId = StackContext.LocalAccountId,
            RequestId = HttpApiEventBuilder.NewRequestId(),
            Time = now,
        });
    }
}
