using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Queueing.Contracts.Events;

namespace Queueing.Local.Events;

/// <summary>What API Gateway knows about one request when it builds the payload 2.0 event for Lambda.</summary>
internal sealed record HttpApiRequestParts
{
    public required string Method { get; init; }

    /// <summary>The path as the client sent it (still percent-encoded), starting with '/'.</summary>
    public required string RawPath { get; init; }

    /// <summary>The query string without '?', as the client sent it.</summary>
    public string RawQueryString { get; init; } = string.Empty;

    /// <summary>The request's headers in arrival order, any case, a repeated name once per occurrence.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Headers { get; init; } = [];

    /// <summary>The body bytes; null or empty when the request has none.</summary>
    public ReadOnlyMemory<byte>? Body { get; init; }

    public string Protocol { get; init; } = "HTTP/1.1";
    public string SourceIp { get; init; } = "127.0.0.1";

    /// <summary>The matched route's key: <c>METHOD /path</c> or <c>$default</c>.</summary>
    public required string RouteKey { get; init; }
    public IReadOnlyDictionary<string, string>? PathParameters { get; init; }
    public required string DomainName { get; init; }
    public required string ApiId { get; init; }
    public required string AccountId { get; init; }
    public required string RequestId { get; init; }
    public required DateTimeOffset Time { get; init; }
}

/// <summary>
/// Builds an HTTP API payload format 2.0 event the way API Gateway does (both <c>generate-event http</c> and the
/// local HTTP API use it): header names lower-cased and repeats comma-joined, cookies moved out of the headers into
/// <c>cookies</c>, repeated query parameters comma-joined, URL-decoded path parameters, the body base64-encoded
/// unless its content type is text.
/// </summary>
internal static class HttpApiEventBuilder
{
    public static HttpApiRequest Build(HttpApiRequestParts parts)
    {
        var headers = new Dictionary<string, string>(StringComparer.Ordinal);
        List<string>? cookies = null;
        foreach (var (rawName, value) in parts.Headers)
        {
            var name = rawName.ToLowerInvariant();
            if (name == "cookie")
            {
                // Payload 2.0 moves cookies out of the headers into their own list.
                (cookies ??= []).AddRange(value.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
                continue;
            }

            headers[name] = headers.TryGetValue(name, out var existing) ? $"{existing},{value}" : value;
        }

        string? body = null;
        var isBase64 = false;
        if (parts.Body is { Length: > 0 } bytes)
        {
            isBase64 = !IsTextContentType(headers.GetValueOrDefault("content-type"));
            body = isBase64 ? Convert.ToBase64String(bytes.Span) : Encoding.UTF8.GetString(bytes.Span);
        }

        var domainPrefix = parts.DomainName.Split('.', 2)[0];
        return new HttpApiRequest
        {
            Version = "2.0",
            RouteKey = parts.RouteKey,
            RawPath = parts.RawPath,
            RawQueryString = parts.RawQueryString,
            Cookies = cookies,
            Headers = headers,
            QueryStringParameters = QueryParameters(parts.RawQueryString),
            PathParameters = parts.PathParameters is { Count: > 0 } p ? new Dictionary<string, string>(p, StringComparer.Ordinal) : null,
            RequestContext = new HttpApiRequestContext
            {
                AccountId = parts.AccountId,
                ApiId = parts.ApiId,
                DomainName = parts.DomainName,
                DomainPrefix = domainPrefix,
                Http = new HttpApiHttpDescription
                {
                    Method = parts.Method,
                    Path = Decode(parts.RawPath),
                    Protocol = parts.Protocol,
                    SourceIp = parts.SourceIp,
                    UserAgent = headers.GetValueOrDefault("user-agent"),
                },
                RequestId = parts.RequestId,
                RouteKey = parts.RouteKey,
                Stage = "$default",
                Time = parts.Time.UtcDateTime.ToString("dd/MMM/yyyy:HH:mm:ss +0000", CultureInfo.InvariantCulture),
                TimeEpoch = parts.Time.ToUnixTimeMilliseconds(),
            },
            Body = body,
            IsBase64Encoded = isBase64,
        };
    }

    /// <summary>
    /// Whether HTTP API passes a body of this content type as text. The docs only say "if the content type is
    /// binary, the body is base64-encoded"; as observed on AWS (payload 2.0, reported in
    /// github.com/ministackorg/ministack/pull/766): text for <c>text/*</c>,
    /// <c>application/json</c>, <c>application/xml</c> and <c>application/javascript</c>; base64 for everything
    /// else, including a missing content type and <c>application/x-www-form-urlencoded</c>.
    /// </summary>
    public static bool IsTextContentType(string? contentType)
    {
        if (string.IsNullOrWhiteSpace(contentType))
        {
            return false;
        }

        var mediaType = contentType.Split(';', 2)[0].Trim();
        return mediaType.StartsWith("text/", StringComparison.OrdinalIgnoreCase)
            || mediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase)
            || mediaType.Equals("application/xml", StringComparison.OrdinalIgnoreCase)
            || mediaType.Equals("application/javascript", StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>An id in the shape of API Gateway's (<c>apigw-requestid</c>, <c>requestContext.requestId</c>).</summary>
    public static string NewRequestId() =>
        Convert.ToBase64String(RandomNumberGenerator.GetBytes(12)).TrimEnd('=').Replace('+', 'A').Replace('/', 'B');

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
            var name = Decode(equals < 0 ? pair : pair[..equals]);
            var value = equals < 0 ? string.Empty : Decode(pair[(equals + 1)..].Replace('+', ' '));
            parameters[name] = parameters.TryGetValue(name, out var existing) ? $"{existing},{value}" : value;
        }

        return parameters;
    }

    private static string Decode(string text) => Uri.UnescapeDataString(text);
}
