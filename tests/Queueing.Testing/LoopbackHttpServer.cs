using Microsoft.AspNetCore.Http;
using Queueing.Emulators.Hosting;

namespace Queueing.Testing;

/// <summary>A real HTTP server on 127.0.0.1 and a free port, answering with a test's handler: the same
/// <see cref="LoopbackHttpHost"/> the local servers listen with.</summary>
public sealed class LoopbackHttpServer : IAsyncDisposable
{
    private readonly LoopbackHttpHost _host;

    private LoopbackHttpServer(LoopbackHttpHost host) => _host = host;

    public Uri BaseAddress => _host.BaseAddress;

    public static async Task<LoopbackHttpServer> StartAsync(RequestDelegate handler) =>
        new(await LoopbackHttpHost.StartAsync(handler));

    public ValueTask DisposeAsync() => _host.DisposeAsync();
}
