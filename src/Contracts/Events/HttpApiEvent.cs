using System.Text.Json;
using System.Text.Json.Serialization;

namespace Queueing.Contracts.Events;

// API Gateway HTTP API, payload format 2.0; wire-compatible with Amazon.Lambda.APIGatewayEvents'
// APIGatewayHttpApiV2ProxyRequest / APIGatewayHttpApiV2ProxyResponse.

public sealed class HttpApiRequest
{
    [JsonPropertyName("version")] public string Version { get; set; } = "2.0";
    [JsonPropertyName("routeKey")] public string? RouteKey { get; set; }
    [JsonPropertyName("rawPath")] public string? RawPath { get; set; }
    [JsonPropertyName("rawQueryString")] public string? RawQueryString { get; set; }
    [JsonPropertyName("cookies")] public List<string>? Cookies { get; set; }
    /// <summary>Header names arrive lower-cased from API Gateway; repeated headers are comma-joined.</summary>
    [JsonPropertyName("headers")] public Dictionary<string, string>? Headers { get; set; }
    [JsonPropertyName("queryStringParameters")] public Dictionary<string, string>? QueryStringParameters { get; set; }
    [JsonPropertyName("pathParameters")] public Dictionary<string, string>? PathParameters { get; set; }
    [JsonPropertyName("stageVariables")] public Dictionary<string, string>? StageVariables { get; set; }
    [JsonPropertyName("requestContext")] public HttpApiRequestContext? RequestContext { get; set; }
    [JsonPropertyName("body")] public string? Body { get; set; }
    [JsonPropertyName("isBase64Encoded")] public bool IsBase64Encoded { get; set; }

    /// <summary>Case-insensitive header lookup (the event's keys are lower case on AWS, any case in hand-made events).</summary>
    public string? Header(string name)
    {
        if (Headers is null)
        {
            return null;
        }

        if (Headers.TryGetValue(name, out var value))
        {
            return value;
        }

        foreach (var (key, v) in Headers)
        {
            if (string.Equals(key, name, StringComparison.OrdinalIgnoreCase))
            {
                return v;
            }
        }

        return null;
    }
}

public sealed class HttpApiRequestContext
{
    [JsonPropertyName("accountId")] public string? AccountId { get; set; }
    [JsonPropertyName("apiId")] public string? ApiId { get; set; }
    [JsonPropertyName("authorizer")] public HttpApiAuthorizer? Authorizer { get; set; }
    [JsonPropertyName("domainName")] public string? DomainName { get; set; }
    [JsonPropertyName("domainPrefix")] public string? DomainPrefix { get; set; }
    [JsonPropertyName("http")] public HttpApiHttpDescription? Http { get; set; }
    [JsonPropertyName("requestId")] public string? RequestId { get; set; }
    [JsonPropertyName("routeId")] public string? RouteId { get; set; }
    [JsonPropertyName("routeKey")] public string? RouteKey { get; set; }
    [JsonPropertyName("stage")] public string? Stage { get; set; }
    [JsonPropertyName("time")] public string? Time { get; set; }
    [JsonPropertyName("timeEpoch")] public long TimeEpoch { get; set; }
    [JsonPropertyName("authentication")] public JsonElement? Authentication { get; set; }
}

public sealed class HttpApiAuthorizer
{
    [JsonPropertyName("jwt")] public HttpApiJwtDescription? Jwt { get; set; }
    [JsonPropertyName("iam")] public JsonElement? Iam { get; set; }
    [JsonPropertyName("lambda")] public JsonElement? Lambda { get; set; }
}

public sealed class HttpApiJwtDescription
{
    [JsonPropertyName("claims")] public Dictionary<string, string>? Claims { get; set; }
    [JsonPropertyName("scopes")] public List<string>? Scopes { get; set; }
}

public sealed class HttpApiHttpDescription
{
    [JsonPropertyName("method")] public string Method { get; set; } = "GET";
    [JsonPropertyName("path")] public string Path { get; set; } = "/";
    [JsonPropertyName("protocol")] public string? Protocol { get; set; }
    [JsonPropertyName("sourceIp")] public string? SourceIp { get; set; }
    [JsonPropertyName("userAgent")] public string? UserAgent { get; set; }
}

public sealed class HttpApiResponse
{
    [JsonPropertyName("statusCode")] public int StatusCode { get; set; }
    [JsonPropertyName("headers")] public Dictionary<string, string>? Headers { get; set; }
    [JsonPropertyName("cookies")] public List<string>? Cookies { get; set; }
    [JsonPropertyName("body")] public string? Body { get; set; }
    [JsonPropertyName("isBase64Encoded")] public bool IsBase64Encoded { get; set; }
}
