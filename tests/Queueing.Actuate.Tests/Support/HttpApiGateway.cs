using System.Text;
using Microsoft.AspNetCore.Http;
using Queueing.Actuate.Api;
using Queueing.Contracts.Events;
using Queueing.Testing;

namespace Queueing.Actuate.Tests.Support;

/// <summary>
/// A tiny API Gateway: real HTTP on loopback, each request turned into an HTTP API payload 2.0 event (lower-case
/// header names, raw path, base64 for non-text bodies) for the command API, its response written back.
/// </summary>
internal sealed class HttpApiGateway : IAsyncDisposable
{
    private readonly LoopbackHttpServer _server;

    private HttpApiGateway(LoopbackHttpServer server) => _server = server;

    public Uri CommandsUrl => new(_server.BaseAddress, "commands");

    public static async Task<HttpApiGateway> StartAsync(CommandApiFunction api, TimeProvider time)
    {
        var server = await LoopbackHttpServer.StartAsync(async context =>
        {
            var response = await api.HandleAsync(await ToEventAsync(context.Request), Invocations.Context(time), context.RequestAborted);
            context.Response.StatusCode = response.StatusCode;
            foreach (var (name, value) in response.Headers ?? [])
            {
                context.Response.Headers[name] = value;
            }

            await context.Response.WriteAsync(response.Body ?? "");
        });
        return new HttpApiGateway(server);
    }

    private static async Task<HttpApiRequest> ToEventAsync(HttpRequest request)
    {
        using var buffer = new MemoryStream();
        await request.Body.CopyToAsync(buffer);
        var bytes = buffer.ToArray();
        var isText = request.ContentType?.StartsWith("application/json", StringComparison.OrdinalIgnoreCase) ?? false;
        return new HttpApiRequest
        {
            RouteKey = "POST /commands",
            RawPath = request.Path.Value,
            RawQueryString = request.QueryString.Value?.TrimStart('?') ?? "",
            Headers = request.Headers.ToDictionary(h => h.Key.ToLowerInvariant(), h => h.Value.ToString()),
            RequestContext = new HttpApiRequestContext
            {
                RequestId = Guid.NewGuid().ToString("N"),
                Stage = "$default",
                Http = new HttpApiHttpDescription { Method = request.Method, Path = request.Path.Value ?? "/", SourceIp = "127.0.0.1" },
            },
            Body = bytes.Length == 0 ? null : isText ? Encoding.UTF8.GetString(bytes) : Convert.ToBase64String(bytes),
            IsBase64Encoded = bytes.Length > 0 && !isText,
        };
    }

    public ValueTask DisposeAsync() => _server.DisposeAsync();
}
