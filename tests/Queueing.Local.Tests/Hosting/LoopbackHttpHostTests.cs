using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Queueing.Emulators.Hosting;

namespace Queueing.Local.Tests.Hosting;

/// <summary>The one loopback host every local server listens with, over real HTTP.</summary>
public sealed class LoopbackHttpHostTests
{
    [Fact]
    public async Task Start_FreePort_AnswersOnLoopbackAtItsBaseAddress()
    {
        await using var host = await LoopbackHttpHost.StartAsync(context => context.Response.WriteAsync($"port {context.Connection.LocalPort}"));
        using var http = new HttpClient();

        var answer = await http.GetStringAsync(new Uri(host.BaseAddress, "anything"));

        Assert.Equal("127.0.0.1", host.BaseAddress.Host);
        Assert.Equal("/", host.BaseAddress.AbsolutePath);
        Assert.NotEqual(0, host.BaseAddress.Port);
        Assert.Equal($"port {host.BaseAddress.Port}", answer);
    }

    [Fact]
    public async Task Start_GivenPort_ListensThere()
    {
        var port = FreePort();

        await using var host = await LoopbackHttpHost.StartAsync(context => Task.CompletedTask, new LoopbackHttpHostOptions { Port = port });

        Assert.Equal(new Uri($"http://127.0.0.1:{port}/"), host.BaseAddress);
    }

    [Fact]
    public async Task Start_PortInUse_Fails()
    {
        await using var first = await LoopbackHttpHost.StartAsync(context => Task.CompletedTask);

        await Assert.ThrowsAsync<IOException>(() =>
            LoopbackHttpHost.StartAsync(context => Task.CompletedTask, new LoopbackHttpHostOptions { Port = first.BaseAddress.Port }));
    }

    [Fact]
    public async Task Start_SeveralListeners_EachOnItsOwnPortInPortOrder()
    {
        await using var host = await LoopbackHttpHost.StartAsync(
            context => context.Response.WriteAsync(context.Connection.LocalPort.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            new LoopbackHttpHostOptions { Listeners = 3 });
        using var http = new HttpClient();

        Assert.Equal(3, host.Addresses.Select(a => a.Port).Distinct().Count());
        Assert.Equal(host.Addresses.OrderBy(a => a.Port), host.Addresses);
        Assert.Equal(host.Addresses[0], host.BaseAddress);
        foreach (var address in host.Addresses)
        {
            Assert.Equal(address.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), await http.GetStringAsync(address));
        }
    }

    [Fact]
    public async Task Start_SeveralListenersOnAGivenPort_Refused()
    {
        var refused = await Assert.ThrowsAsync<ArgumentException>(() =>
            LoopbackHttpHost.StartAsync(context => Task.CompletedTask, new LoopbackHttpHostOptions { Port = FreePort(), Listeners = 2 }));

        Assert.Contains("Port 0", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Map_Routes_AnswerByEndpointAndFallback()
    {
        await using var host = await LoopbackHttpHost.StartAsync(app =>
        {
            app.MapGet("/known/{id}", (HttpContext context) => context.Response.WriteAsync("known " + context.Request.RouteValues["id"]));
            app.MapFallback((HttpContext context) =>
            {
                context.Response.StatusCode = StatusCodes.Status404NotFound;
                return Task.CompletedTask;
            });
        });
        using var http = new HttpClient { BaseAddress = host.BaseAddress };

        Assert.Equal("known 7", await http.GetStringAsync("known/7"));
        using var unknown = await http.GetAsync("elsewhere");
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
    }

    [Fact]
    public async Task Limits_MaxRequestBodySize_KestrelRefusesLargerBodies()
    {
        await using var host = await LoopbackHttpHost.StartAsync(
            async context =>
            {
                using var sink = new MemoryStream();
                await context.Request.Body.CopyToAsync(sink);
            },
            new LoopbackHttpHostOptions { Limits = limits => limits.MaxRequestBodySize = 10 });
        using var http = new HttpClient();

        using var small = await http.PostAsync(host.BaseAddress, new ByteArrayContent(new byte[10]));
        using var large = await http.PostAsync(host.BaseAddress, new ByteArrayContent(new byte[11]));

        Assert.Equal(HttpStatusCode.OK, small.StatusCode);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, large.StatusCode);
    }

    [Fact]
    public async Task Dispose_RequestThatNeverEnds_StopsWithinTheGraceAndFreesThePort()
    {
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var host = await LoopbackHttpHost.StartAsync(async context =>
        {
            started.SetResult();
            // A Runtime API `next` call of an idle function: it waits until the connection is closed.
            await Task.Delay(Timeout.Infinite, context.RequestAborted);
        });
        var port = host.BaseAddress.Port;
        using var http = new HttpClient();
        var pending = http.GetAsync(host.BaseAddress);
        await started.Task;

        var clock = Stopwatch.StartNew();
        await host.DisposeAsync();

        Assert.InRange(clock.Elapsed, TimeSpan.Zero, LoopbackHttpHost.StopGrace + TimeSpan.FromSeconds(5));
        await Assert.ThrowsAnyAsync<Exception>(() => pending);
        await using var again = await LoopbackHttpHost.StartAsync(context => Task.CompletedTask, new LoopbackHttpHostOptions { Port = port });
        Assert.Equal(port, again.BaseAddress.Port);
    }

    [Fact]
    public async Task Dispose_Twice_SecondIsANoOp()
    {
        var host = await LoopbackHttpHost.StartAsync(context => Task.CompletedTask);

        await host.DisposeAsync();
        await host.DisposeAsync();

        using var http = new HttpClient();
        await Assert.ThrowsAsync<HttpRequestException>(() => http.GetAsync(host.BaseAddress));
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
