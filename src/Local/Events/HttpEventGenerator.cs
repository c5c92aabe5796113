using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Queueing.Local.Template;
using Queueing.Shared.Events;

namespace Queueing.Local.Events;

/// <summary>What <c>generate-event http</c> was asked for.</summary>
public sealed record HttpEventOptions
{
    /// <summary>The request path, optionally with a query string.</summary>
    public string Path { get; init; } = "/commands";
    public string Method { get; init; } = "POST";

    /// <summary>The request body; null gives a sample command request for methods with a body.</summary>
    public string? Body { get; init; }
    public IReadOnlyList<KeyValuePair<string, string>> Headers { get; init; } = [];
    public string Region { get; init; } = "us-east-1";

    /// <summary>When set, sign the body as the command API expects (docs/commands.md) with this shared secret.</summary>
    public string? SigningSecret { get; init; }
}

/// <summary>An API Gateway HTTP API event, payload format 2.0, as Lambda receives it.</summary>
public sealed class HttpEventGenerator
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

        // API Gateway lower-cases header names and joins repeated headers with commas.
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
            // The command API's scheme: HMAC-SHA256 over "timestamp.body" with the shared secret, timestamp in seconds.
            var timestamp = now.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
            var signature = HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes($"{timestamp}.{body}"));
            headers["x-queueing-timestamp"] = timestamp;
            headers["x-queueing-signature"] = "v1=" + Convert.ToHexStringLower(signature);
        }

        var explicitHeaders = new HashSet<string>(StringComparer.Ordinal);
        List<string>? cookies = null;
        foreach (var (rawName, value) in options.Headers)
        {
            var name = rawName.ToLowerInvariant();
            if (name == "cookie")
            {
                // Payload 2.0 moves cookies out of the headers into their own list.
                (cookies ??= []).AddRange(value.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
                continue;
            }

            headers[name] = explicitHeaders.Add(name) ? value : $"{headers[name]},{value}";
        }

        var routeKey = $"{method} {path}";
        return new HttpApiRequest
        {
            Version = "2.0",
            RouteKey = routeKey,
            RawPath = path,
            RawQueryString = query,
            Cookies = cookies,
            Headers = headers,
            QueryStringParameters = QueryParameters(query),
            RequestContext = new HttpApiRequestContext
            {
                AccountId = StackContext.LocalAccountId,
                ApiId = ApiId,
                DomainName = domain,
                DomainPrefix = ApiId,
                Http = new HttpApiHttpDescription
                {
                    Method = method,
                    Path = path,
                    Protocol = "HTTP/1.1",
                    SourceIp = "127.0.0.1",
                    UserAgent = headers["user-agent"],
                },
                RequestId = Convert.ToBase64String(RandomNumberGenerator.GetBytes(12)).TrimEnd('=').Replace('+', 'A').Replace('/', 'B'),
                RouteKey = routeKey,
                Stage = "$default",
                Time = now.UtcDateTime.ToString("dd/MMM/yyyy:HH:mm:ss +0000", CultureInfo.InvariantCulture),
                TimeEpoch = now.ToUnixTimeMilliseconds(),
            },
            Body = body,
            IsBase64Encoded = false,
        };
    }

    private static Dictionary<string, string>? QueryParameters(string query)
    {
        if (query.Length == 0)
        {
            return null;
        }

        var parameters = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var pair in query.Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var equals = pair.IndexOf('=', StringComparison.Ordinal);
            var name = Uri.UnescapeDataString(equals < 0 ? pair : pair[..equals]);
            var value = equals < 0 ? string.Empty : Uri.UnescapeDataString(pair[(equals + 1)..].Replace('+', ' '));
            parameters[name] = parameters.TryGetValue(name, out var existing) ? $"{existing},{value}" : value;
        }

        return parameters;
    }
}
