using System.Globalization;
using Queueing.Contracts.Commands;
using Queueing.Contracts.Events;

namespace Queueing.Actuate.Tests.Support;

/// <summary>HTTP API (payload 2.0) events for POST /commands, signed the way callers must sign.</summary>
internal static class SignedRequests
{
    public static HttpApiRequest Post(string body, string secret, DateTimeOffset signedAt, string? idempotencyKey = null) =>
        Post(body, secret, signedAt.ToUnixTimeSeconds(), idempotencyKey);

    public static HttpApiRequest Post(string body, string secret, long timestamp, string? idempotencyKey = null)
    {
        var request = Unsigned("POST", "/commands", body);
        request.Headers!["x-queueing-timestamp"] = timestamp.ToString(CultureInfo.InvariantCulture);
        request.Headers["x-queueing-signature"] = CommandSignature.Sign(secret, timestamp, "/commands", idempotencyKey, body);
        if (idempotencyKey is not null)
        {
            request.Headers["idempotency-key"] = idempotencyKey;
        }

        return request;
    }

    public static HttpApiRequest Unsigned(string method, string path, string? body) => new()
    {
        Version = "2.0",
        RouteKey = "POST /commands",
        RawPath = path,
        RawQueryString = "",
        Headers = new Dictionary<string, string>
        {
            ["content-type"] = "application/json",
            ["host"] = "abc123.execute-api.us-east-1.amazonaws.com",
        },
        RequestContext = new HttpApiRequestContext
        {
            AccountId = "123456789012",
            ApiId = "abc123",
            DomainName = "abc123.execute-api.us-east-1.amazonaws.com",
            Http = new HttpApiHttpDescription { Method = method, Path = path, Protocol = "HTTP/1.1", SourceIp = "192.0.2.1", UserAgent = "test" },
            RequestId = "api-" + Guid.NewGuid().ToString("N")[..8],
            RouteKey = "POST /commands",
            Stage = "$default",
        },
        Body = body,
        IsBase64Encoded = false,
    };
}
