using System.Diagnostics;
using System.Globalization;
using Microsoft.AspNetCore.Http;
using Queueing.Testing;

namespace Queueing.Actuate.Tests.TestSupport;

/// <summary>
/// Just enough of the Lambda Runtime API (2018-06-01) to run the real Actuate executable for one event: hands out
/// the event once, then holds further <c>next</c> calls open, and records the response, error or init error.
/// </summary>
internal sealed class RuntimeApiEmulator : IAsyncDisposable
{
    private readonly LoopbackHttpServer _server;
    private readonly TaskCompletionSource<(string Kind, string Body)> _outcome = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly byte[] _event;
    private int _handedOut;

    private RuntimeApiEmulator(LoopbackHttpServer server, byte[] @event)
    {
        _server = server;
        _event = @event;
    }

    /// <summary>host:port, the value of AWS_LAMBDA_RUNTIME_API.</summary>
    public string Address => _server.BaseAddress.Authority;

    public static async Task<RuntimeApiEmulator> StartAsync(byte[] @event)
    {
        RuntimeApiEmulator? emulator = null;
        var server = await LoopbackHttpServer.StartAsync(context => emulator!.HandleAsync(context));
        emulator = new RuntimeApiEmulator(server, @event);
        return emulator;
    }

    /// <summary>"response", "error" or "init-error", with the body the function posted.</summary>
    public Task<(string Kind, string Body)> Outcome => _outcome.Task;

    private async Task HandleAsync(HttpContext context)
    {
        var path = context.Request.Path.Value ?? "";
        if (context.Request.Method == "GET" && path == "/2018-06-01/runtime/invocation/next")
        {
            if (Interlocked.Exchange(ref _handedOut, 1) == 1)
            {
                // Lambda would freeze the process here; the test ends it.
                await Task.Delay(Timeout.Infinite, context.RequestAborted).ContinueWith(_ => { }, TaskScheduler.Default);
                return;
            }

            context.Response.Headers["Lambda-Runtime-Aws-Request-Id"] = "8476a536-e9f4-11e8-9739-2dfe598c3fcd";
            context.Response.Headers["Lambda-Runtime-Deadline-Ms"] = DateTimeOffset.UtcNow.AddSeconds(30).ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture);
            context.Response.Headers["Lambda-Runtime-Invoked-Function-Arn"] = "arn:aws:lambda:us-east-1:123456789012:function:test";
            context.Response.Headers["Lambda-Runtime-Trace-Id"] = "Root=1-5bef4de7-ad49b0e87f6ef6c87fc2e700;Parent=9a9197af755a6419;Sampled=1";
            context.Response.ContentType = "application/json";
            await context.Response.Body.WriteAsync(_event);
            return;
        }

        using var reader = new StreamReader(context.Request.Body);
        var body = await reader.ReadToEndAsync();
        var kind = path.EndsWith("/response", StringComparison.Ordinal) ? "response"
            : path == "/2018-06-01/runtime/init/error" ? "init-error"
            : path.EndsWith("/error", StringComparison.Ordinal) ? "error"
            : null;
        context.Response.StatusCode = kind is null ? 404 : 202;
        if (kind is not null)
        {
            _outcome.TrySetResult((kind, body));
        }
    }

    /// <summary>What the function wrote to stdout and stderr (its JSON log lines), for failure messages.</summary>
    public string Output { get { lock (_output) { return _output.ToString(); } } }

    private readonly System.Text.StringBuilder _output = new();

    /// <summary>
    /// Runs <c>Queueing.Actuate</c> from its own build output (built with the tests, same configuration) against
    /// this emulator. Not the copy next to the tests: that one would resolve its dependencies against the test host.
    /// </summary>
    public Process StartFunction(IReadOnlyDictionary<string, string> environment)
    {
        var configuration = new DirectoryInfo(AppContext.BaseDirectory).Parent!.Name;
        var executable = RepositoryRoot.File("src", "Actuate", "bin", configuration, "net10.0", "Queueing.Actuate.dll");
        var start = new ProcessStartInfo("dotnet", [executable])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.Environment.Clear();
        start.Environment["PATH"] = Environment.GetEnvironmentVariable("PATH");
        start.Environment["HOME"] = Environment.GetEnvironmentVariable("HOME") ?? "/tmp";
        if (Environment.GetEnvironmentVariable("DOTNET_ROOT") is { } dotnetRoot)
        {
            start.Environment["DOTNET_ROOT"] = dotnetRoot;
        }
        start.Environment["AWS_LAMBDA_RUNTIME_API"] = Address;
        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("dotnet did not start.");
        process.OutputDataReceived += (_, e) => { lock (_output) { _output.AppendLine(e.Data); } };
        process.ErrorDataReceived += (_, e) => { lock (_output) { _output.AppendLine(e.Data); } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    public ValueTask DisposeAsync() => _server.DisposeAsync();
}
