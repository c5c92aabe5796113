using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Queueing.Testing;

namespace Queueing.Local.Tests.Support;

/// <summary>
/// A stand-in of the command API on loopback that checks each request's signature on its own (HMAC-SHA256 over
/// <c>timestamp + "." + raw body</c>, timestamp within 5 minutes), records what it accepted, answers 202 to a good
/// request and 401 to a bad one.
/// </summary>
internal sealed class FakeCommandApi : IAsyncDisposable
{
    private readonly LoopbackHttpServer _server;
    private readonly byte[] _secret;

    private FakeCommandApi(LoopbackHttpServer server, string secret)
    {
        _server = server;
        _secret = Encoding.UTF8.GetBytes(secret);
    }

    public Uri CommandsUrl => new(_server.BaseAddress, "commands");

    public ConcurrentQueue<ReceivedCommand> Accepted { get; } = new();

    public ConcurrentQueue<string> Refused { get; } = new();

    public static async Task<FakeCommandApi> StartAsync(string secret)
    {
        FakeCommandApi? standIn = null;
        var server = await LoopbackHttpServer.StartAsync(context => standIn!.HandleAsync(context));
        standIn = new FakeCommandApi(server, secret);
        return standIn;
    }

    private async Task HandleAsync(HttpContext context)
    {
        using var reader = new StreamReader(context.Request.Body, Encoding.UTF8);
        var body = await reader.ReadToEndAsync();
        var problem = Check(context.Request, body);
        if (problem is not null)
        {
            Refused.Enqueue(problem);
            context.Response.StatusCode = 401;
            context.Response.ContentType = "application/problem+json";
            await context.Response.WriteAsync(new JsonObject { ["title"] = "Unauthorized", ["status"] = 401, ["detail"] = problem }.ToJsonString());
            return;
        }

        var command = JsonNode.Parse(body)!.AsObject();
        Accepted.Enqueue(new ReceivedCommand(
            command["deviceId"]!.GetValue<string>(),
            command["payload"]!.ToJsonString(),
            command["ttlSeconds"]?.GetValue<int>(),
            context.Request.Headers["Idempotency-Key"].ToString(),
            body));
        context.Response.StatusCode = 202;
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(new JsonObject { ["commandId"] = Guid.NewGuid().ToString(), ["deviceId"] = command["deviceId"]!.GetValue<string>() }.ToJsonString());
    }

    private string? Check(HttpRequest request, string body)
    {
        if (request.Method != "POST" || request.Path != "/commands")
        {
            return $"{request.Method} {request.Path} is not POST /commands";
        }

        if (request.ContentType?.StartsWith("application/json", StringComparison.Ordinal) != true)
        {
            return $"content type {request.ContentType}";
        }

        var timestamp = request.Headers["X-Queueing-Timestamp"].ToString();
        if (!long.TryParse(timestamp, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds)
            || Math.Abs(DateTimeOffset.UtcNow.ToUnixTimeSeconds() - seconds) > 300)
        {
            return $"timestamp '{timestamp}' missing or outside the 5-minute window";
        }

        var expected = "v1=" + Convert.ToHexStringLower(HMACSHA256.HashData(_secret, Encoding.UTF8.GetBytes(timestamp + "\nPOST\n/commands\n" + request.Headers["Idempotency-Key"].ToString() + "\n" + body)));
        var signature = request.Headers["X-Queueing-Signature"].ToString();
        return CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(expected), Encoding.ASCII.GetBytes(signature))
            ? null
            : $"signature '{signature}' does not match";
    }

    public ValueTask DisposeAsync() => _server.DisposeAsync();
}

internal sealed record ReceivedCommand(string DeviceId, string Payload, int? TtlSeconds, string IdempotencyKey, string Body);
