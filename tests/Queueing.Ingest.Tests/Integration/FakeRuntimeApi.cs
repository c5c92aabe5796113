using System.Globalization;
using Microsoft.AspNetCore.Http;
using Queueing.Testing;

namespace Queueing.Ingest.Tests.Integration;

/// <summary>
/// The Lambda Runtime API (2018-06-01) for one invocation: hands out one event, then holds further <c>next</c>
/// calls (as Lambda does while the function is frozen), and records the response, error or init error.
/// </summary>
internal sealed class FakeRuntimeApi : IAsyncDisposable
{
    private readonly byte[] _event;
    private readonly TaskCompletionSource<(string Kind, string Body)> _outcome = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private LoopbackHttpServer? _server;
    private int _served;

    private FakeRuntimeApi(byte[] sqsEvent) => _event = sqsEvent;

    public static async Task<FakeRuntimeApi> StartAsync(byte[] sqsEvent)
    {
        var api = new FakeRuntimeApi(sqsEvent);
        api._server = await LoopbackHttpServer.StartAsync(api.HandleAsync);
        return api;
    }

    /// <summary>host:port, the value of AWS_LAMBDA_RUNTIME_API.</summary>
    public string Address => _server!.BaseAddress.Authority;

    /// <summary>"response", "error" or "init-error", and the body the function posted.</summary>
    public Task<(string Kind, string Body)> Outcome => _outcome.Task;

    private async Task HandleAsync(HttpContext http)
    {
        var path = http.Request.Path.Value ?? "";
        if (http.Request.Method == "GET" && path == "/2018-06-01/runtime/invocation/next")
        {
            if (Interlocked.Increment(ref _served) > 1)
            {
                await Task.Delay(Timeout.Infinite, http.RequestAborted).ContinueWith(_ => { }, TaskScheduler.Default);
                return;
            }

            http.Response.Headers["Lambda-Runtime-Aws-Request-Id"] = "req-1";
            http.Response.Headers["Lambda-Runtime-Deadline-Ms"] =
                DateTimeOffset.UtcNow.AddSeconds(60).ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture);
            http.Response.Headers["Lambda-Runtime-Invoked-Function-Arn"] = "arn:aws:lambda:us-east-1:123456789012:function:IngestFunction";
            http.Response.Headers["Lambda-Runtime-Trace-Id"] = "Root=1-5759e988-bd862e3fe1be46a994272793;Sampled=1";
            http.Response.ContentType = "application/json";
            await http.Response.Body.WriteAsync(_event);
            return;
        }

        var body = await new StreamReader(http.Request.Body).ReadToEndAsync();
        var kind = path switch
        {
            "/2018-06-01/runtime/invocation/req-1/response" => "response",
            "/2018-06-01/runtime/invocation/req-1/error" => "error",
            "/2018-06-01/runtime/init/error" => "init-error",
            _ => null,
        };
        if (kind is null)
        {
            http.Response.StatusCode = 404;
            return;
        }

        http.Response.StatusCode = 202;
        _outcome.TrySetResult((kind, body));
    }

    public async ValueTask DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }
}
