using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Queueing.Local.Lambda;

/// <summary>
/// Kestrel on 127.0.0.1 serving the Runtime API for a function's sandboxes. Each sandbox has its own port (as each
/// Lambda execution environment has its own endpoint), so <c>AWS_LAMBDA_RUNTIME_API</c> stays a plain host:port
/// and a request is routed to its sandbox by the port it arrived on.
/// </summary>
public sealed class RuntimeApiServer : IAsyncDisposable
{
    private const string Prefix = "/2018-06-01/runtime";
    private readonly WebApplication _app;
    private readonly Dictionary<int, RuntimeApiSandbox> _byPort;

    private RuntimeApiServer(WebApplication app, Dictionary<int, RuntimeApiSandbox> byPort)
    {
        _app = app;
        _byPort = byPort;
        Sandboxes = [.. byPort.Values.OrderBy(s => s.Id)];
    }

    public IReadOnlyList<RuntimeApiSandbox> Sandboxes { get; }

    public static async Task<RuntimeApiServer> StartAsync(int sandboxes, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(sandboxes, 1);
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            for (var i = 0; i < sandboxes; i++)
            {
                kestrel.Listen(IPAddress.Loopback, 0);
            }

            // A runtime's next call waits for events as long as the function is idle.
            kestrel.Limits.KeepAliveTimeout = TimeSpan.FromHours(1);
            kestrel.Limits.MaxRequestBodySize = null;
        });
        var app = builder.Build();
        var byPort = new Dictionary<int, RuntimeApiSandbox>();

        RuntimeApiSandbox? Sandbox(HttpContext context) => byPort.GetValueOrDefault(context.Connection.LocalPort);

        app.MapGet(Prefix + "/invocation/next", context => Sandbox(context) is { } s ? s.NextAsync(context) : NotFound(context));
        app.MapPost(Prefix + "/invocation/{requestId}/response", context =>
            Sandbox(context) is { } s ? s.ResponseAsync(context, RequestId(context)) : NotFound(context));
        app.MapPost(Prefix + "/invocation/{requestId}/error", context =>
            Sandbox(context) is { } s ? s.ErrorAsync(context, RequestId(context)) : NotFound(context));
        app.MapPost(Prefix + "/init/error", context => Sandbox(context) is { } s ? s.InitErrorAsync(context) : NotFound(context));
        app.MapFallback(NotFound);

        await app.StartAsync(cancellationToken);
        var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses;
        var id = 0;
        foreach (var address in addresses.Select(a => new Uri(a)).OrderBy(uri => uri.Port))
        {
            byPort[address.Port] = new RuntimeApiSandbox(++id, $"127.0.0.1:{address.Port}");
        }

        return new RuntimeApiServer(app, byPort);
    }

    private static string RequestId(HttpContext context) => context.GetRouteValue("requestId")?.ToString() ?? string.Empty;

    private static Task NotFound(HttpContext context) =>
        RuntimeApiSandbox.WriteErrorAsync(context, StatusCodes.Status404NotFound, "NotFound",
            $"{context.Request.Method} {context.Request.Path} is not part of the Lambda Runtime API 2018-06-01.");

    public async ValueTask DisposeAsync()
    {
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(2));
        await _app.StopAsync(stop.Token);
        await _app.DisposeAsync();
    }
}
