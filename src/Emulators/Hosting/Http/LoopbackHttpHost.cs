using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Queueing.Emulators.Hosting;

/// <summary>How a <see cref="LoopbackHttpHost"/> listens.</summary>
public sealed record LoopbackHttpHostOptions
{
    /// <summary>The port on 127.0.0.1; 0 takes a free one.</summary>
    public int Port { get; init; }

    /// <summary>
    /// How many listeners, each on a free port of its own (the Lambda sandbox routes a request by the port it arrived
    /// on). More than one needs <see cref="Port"/> 0.
    /// </summary>
    public int Listeners { get; init; } = 1;

    /// <summary>Kestrel's limits, for a server that answers oversized bodies itself or holds requests open.</summary>
    public Action<KestrelServerLimits>? Limits { get; init; }
}

/// <summary>
/// Kestrel on 127.0.0.1, the one way every local server listens: the Runtime API, the HTTP APIs, the IoT Data
/// endpoint, the Waylay broker, and the tests' servers. Started, it knows its address; disposed, it stops taking
/// connections and gives the requests in flight <see cref="StopGrace"/> before their connections are closed.
/// </summary>
public sealed class LoopbackHttpHost : IAsyncDisposable
{
    /// <summary>How long a request in flight may finish when the host is disposed: a Runtime API <c>next</c> call
    /// waits as long as its function is idle, so stopping must not wait for it.</summary>
    public static readonly TimeSpan StopGrace = TimeSpan.FromSeconds(2);

    private readonly WebApplication _app;
    private bool _disposed;

    private LoopbackHttpHost(WebApplication app, IReadOnlyList<Uri> addresses)
    {
        _app = app;
        Addresses = addresses;
    }

    /// <summary><c>http://127.0.0.1:port/</c> (of the first listener).</summary>
    public Uri BaseAddress => Addresses[0];

    /// <summary>Every listener's <c>http://127.0.0.1:port/</c>, by port.</summary>
    public IReadOnlyList<Uri> Addresses { get; }

    /// <summary>Starts a host answering every request with <paramref name="handler"/>.</summary>
    public static Task<LoopbackHttpHost> StartAsync(
        RequestDelegate handler, LoopbackHttpHostOptions? options = null, CancellationToken cancellationToken = default) =>
        StartAsync(app => app.Run(handler), options, cancellationToken);

    /// <summary>Starts a host whose requests <paramref name="map"/> routes (endpoints, a fallback, ...).</summary>
    public static async Task<LoopbackHttpHost> StartAsync(
        Action<WebApplication> map, LoopbackHttpHostOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new LoopbackHttpHostOptions();
        ArgumentOutOfRangeException.ThrowIfLessThan(options.Listeners, 1, nameof(options));
        ArgumentOutOfRangeException.ThrowIfNegative(options.Port, nameof(options));
        if (options.Listeners > 1 && options.Port != 0)
        {
            throw new ArgumentException("Several listeners each take a free port: give Port 0.", nameof(options));
        }

        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            for (var i = 0; i < options.Listeners; i++)
            {
                kestrel.Listen(IPAddress.Loopback, options.Port);
            }

            options.Limits?.Invoke(kestrel.Limits);
        });
        var app = builder.Build();
        try
        {
            map(app);
            await app.StartAsync(cancellationToken);
        }
        catch
        {
            // A port in use, a cancelled start: nothing may stay bound or half-built.
            await app.DisposeAsync();
            throw;
        }

        var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses
            .Select(address => new Uri(address.TrimEnd('/') + "/"))
            .OrderBy(uri => uri.Port)
            .ToList();
        return new LoopbackHttpHost(app, addresses);
    }

    /// <summary>Stops taking connections; the requests in flight may finish until <paramref name="cancellationToken"/> fires.</summary>
    public Task StopAsync(CancellationToken cancellationToken) => _app.StopAsync(cancellationToken);

    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        using var grace = new CancellationTokenSource(StopGrace);
        await _app.StopAsync(grace.Token);
        await _app.DisposeAsync();
    }
}
