using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Queueing.Emulators.Hosting;

namespace Queueing.Emulators.Lambda;

/// <summary>
/// Kestrel on 127.0.0.1 serving the Runtime API for a function's sandboxes. Each sandbox has its own port (as each
/// Lambda execution environment has its own endpoint), so <c>AWS_LAMBDA_RUNTIME_API</c> stays a plain host:port
/// and a request is routed to its sandbox by the port it arrived on.
/// </summary>
internal sealed class RuntimeApiServer : IAsyncDisposable
{
    private const string Prefix = "/2018-06-01/runtime";
    private readonly LoopbackHttpHost _host;

    private RuntimeApiServer(LoopbackHttpHost host, Dictionary<int, RuntimeApiSandbox> byPort)
    {
        _host = host;
        Sandboxes = [.. byPort.Values.OrderBy(s => s.Id)];
    }

    public IReadOnlyList<RuntimeApiSandbox> Sandboxes { get; }

    public static async Task<RuntimeApiServer> StartAsync(int sandboxes, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(sandboxes, 1);
        var byPort = new Dictionary<int, RuntimeApiSandbox>();

        RuntimeApiSandbox? Sandbox(HttpContext context) => byPort.GetValueOrDefault(context.Connection.LocalPort);

        var host = await LoopbackHttpHost.StartAsync(
            app =>
            {
                app.MapGet(Prefix + "/invocation/next", context => Sandbox(context) is { } s ? s.NextAsync(context) : NotFound(context));
                app.MapPost(Prefix + "/invocation/{requestId}/response", context =>
                    Sandbox(context) is { } s ? s.ResponseAsync(context, RequestId(context)) : NotFound(context));
                app.MapPost(Prefix + "/invocation/{requestId}/error", context =>
                    Sandbox(context) is { } s ? s.ErrorAsync(context, RequestId(context)) : NotFound(context));
                app.MapPost(Prefix + "/init/error", context => Sandbox(context) is { } s ? s.InitErrorAsync(context) : NotFound(context));
                app.MapFallback(NotFound);
            },
            new LoopbackHttpHostOptions
            {
                Listeners = sandboxes,
                Limits = limits =>
                {
                    // A runtime's next call waits for events as long as the function is idle.
                    limits.KeepAliveTimeout = TimeSpan.FromHours(1);
                    limits.MaxRequestBodySize = null;
                },
            },
            cancellationToken);
        var id = 0;
        foreach (var address in host.Addresses)
        {
            byPort[address.Port] = new RuntimeApiSandbox(++id, $"127.0.0.1:{address.Port}");
        }

        return new RuntimeApiServer(host, byPort);
    }

    private static string RequestId(HttpContext context) => context.GetRouteValue("requestId")?.ToString() ?? string.Empty;

    private static Task NotFound(HttpContext context) =>
        RuntimeApiSandbox.WriteErrorAsync(context, StatusCodes.Status404NotFound, "NotFound",
            $"{context.Request.Method} {context.Request.Path} is not part of the Lambda Runtime API 2018-06-01.");

    public ValueTask DisposeAsync() => _host.DisposeAsync();
}
