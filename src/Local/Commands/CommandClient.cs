using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Queueing.Contracts.Commands;

namespace Queueing.Local.Commands;

/// <summary>What <c>send-command</c> sends: a command request for the command API.</summary>
internal sealed record CommandRequest
{
    public required Uri Url { get; init; }
    public required string DeviceId { get; init; }

    /// <summary>The command payload, JSON text; the device receives it as is.</summary>
    public required string Payload { get; init; }
    public int? TtlSeconds { get; init; }
    public int? Qos { get; init; }
    public string? IdempotencyKey { get; init; }
    public required string SigningSecret { get; init; }

    /// <summary>The request body: <c>{"deviceId","payload","ttlSeconds"?,"qos"?}</c>, the payload's bytes kept
    /// exactly as given (the device receives them as sent).</summary>
    public string Body()
    {
        var body = new StringBuilder("{\"deviceId\":").Append(JsonValue.Create(DeviceId).ToJsonString())
            .Append(",\"payload\":").Append(Payload.Trim());
        if (TtlSeconds is { } ttl)
        {
            body.Append(",\"ttlSeconds\":").Append(ttl);
        }

        if (Qos is { } qos)
        {
            body.Append(",\"qos\":").Append(qos);
        }

        return body.Append('}').ToString();
    }
}

/// <summary>The command API's answer: status and body (a <c>202</c> carries the <c>commandId</c>).</summary>
internal sealed record CommandAnswer(int Status, string Body)
{
    public bool Accepted => Status == 202;
}

/// <summary>Signs a command request as docs/commands.md says and POSTs it, as a caller of the API does.</summary>
internal sealed class CommandClient(HttpClient http, TimeProvider time)
{
    public async Task<CommandAnswer> SendAsync(CommandRequest request, CancellationToken cancellationToken)
    {
        var body = request.Body();
        var timestamp = CommandSignature.Timestamp(time.GetUtcNow());
        var signature = CommandSignature.Sign(
            request.SigningSecret, new SignedRequest(timestamp, "POST", request.Url.AbsolutePath, request.IdempotencyKey, Encoding.UTF8.GetBytes(body)));
        using var message = new HttpRequestMessage(HttpMethod.Post, request.Url)
        {
            Content = new ByteArrayContent(Encoding.UTF8.GetBytes(body)) { Headers = { ContentType = new MediaTypeHeaderValue("application/json") } },
        };
        message.Headers.Add(CommandSignature.TimestampHeader, timestamp);
        message.Headers.Add(CommandSignature.SignatureHeader, signature);
        if (request.IdempotencyKey is { } key)
        {
            message.Headers.Add(CommandSignature.IdempotencyKeyHeader, key);
        }

        using var response = await http.SendAsync(message, cancellationToken);
        return new CommandAnswer((int)response.StatusCode, await response.Content.ReadAsStringAsync(cancellationToken));
    }
}
