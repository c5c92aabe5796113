using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using Queueing.Shared.Runtime;
using Queueing.Shared.Tests.Support;
using Queueing.Testing;

namespace Queueing.Shared.Tests.Runtime;

/// <summary>The function host and the invocation loop against a fake Runtime API speaking the real protocol.</summary>
[Collection(RuntimeLoopCollection.Name)]
public sealed class FunctionHostTests : IAsyncLifetime
{
    private static readonly DateTimeOffset Now = new(2025, 11, 28, 10, 0, 0, TimeSpan.Zero);
    private readonly FakeTimeProvider _time = new(Now);
    private readonly LogCapture _log = new();
    private readonly CancellationTokenSource _shutdown = new();
    private FakeRuntimeApi _api = null!;
    private RuntimeApiConnection _client = null!;

    public async Task InitializeAsync()
    {
        _api = await FakeRuntimeApi.StartAsync();
        _client = new RuntimeApiConnection(_api.Address);
    }

    public async Task DisposeAsync()
    {
        await _shutdown.CancelAsync();
        _client.Dispose();
        await _api.DisposeAsync();
        _shutdown.Dispose();
    }

    private Dictionary<string, string> Variables(string handler = "echo", params (string Name, string Value)[] extra)
    {
        var variables = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["_HANDLER"] = handler,
            ["AWS_LAMBDA_FUNCTION_NAME"] = "queueing-test",
            ["LOG_LEVEL"] = "Debug",
        };
        foreach (var (name, value) in extra)
        {
            variables[name] = value;
        }

        return variables;
    }

    private Task<int> RunAsync(IReadOnlyDictionary<string, FunctionFactory> functions, Dictionary<string, string> variables) =>
        FunctionHost.RunAsync(functions, variables, _client, _time, _log.Writer, _shutdown.Token);

    private static Dictionary<string, FunctionFactory> Functions(string name, Func<ReadOnlyMemory<byte>, InvocationContext, CancellationToken, Task<byte[]>> invoke) =>
        new(StringComparer.Ordinal) { [name] = (_, _) => Task.FromResult<IFunctionHandler>(new DelegateHandler(invoke)) };

    private async Task<int> StopAsync(Task<int> run)
    {
        await _shutdown.CancelAsync();
        return await run.WaitAsync(TimeSpan.FromSeconds(30));
    }

    [Fact]
    public async Task RunAsync_NormalInvocation_PostsHandlerResponseAsJson()
    {
        var functions = Functions("echo", (payload, _, _) => Task.FromResult(System.Text.Encoding.UTF8.GetBytes($"{{\"echo\":{System.Text.Encoding.UTF8.GetString(payload.Span)}}}")));
        var run = RunAsync(functions, Variables());

        _api.Enqueue("req-1", """{"n":1}""", Now.AddSeconds(30));
        var outcome = await _api.OutcomeAsync("req-1");

        Assert.Equal(OutcomeKind.Response, outcome.Kind);
        Assert.Equal("""{"echo":{"n":1}}""", outcome.Text);
        Assert.Equal("application/json", outcome.ContentType);
        Assert.Equal(0, await StopAsync(run));
    }

    [Fact]
    public async Task RunAsync_HandlerThrows_PostsFunctionErrorAndServesNextEvent()
    {
        var functions = Functions("echo", (payload, _, _) => System.Text.Encoding.UTF8.GetString(payload.Span) == "\"boom\""
            ? Task.FromException<byte[]>(new InvalidOperationException("the device exploded"))
            : Task.FromResult("\"ok\""u8.ToArray()));
        var run = RunAsync(functions, Variables());

        _api.Enqueue("req-bad", "\"boom\"", Now.AddSeconds(30));
        _api.Enqueue("req-good", "\"fine\"", Now.AddSeconds(30));
        var error = await _api.OutcomeAsync("req-bad");
        var next = await _api.OutcomeAsync("req-good");

        Assert.Equal(OutcomeKind.Error, error.Kind);
        Assert.Equal("InvalidOperationException", error.ErrorTypeHeader);
        using var document = JsonDocument.Parse(error.Body);
        Assert.Equal("InvalidOperationException", document.RootElement.GetProperty("errorType").GetString());
        Assert.Equal("the device exploded", document.RootElement.GetProperty("errorMessage").GetString());
        var stackTrace = document.RootElement.GetProperty("stackTrace").EnumerateArray().Select(e => e.GetString()).ToList();
        Assert.NotEmpty(stackTrace);
        Assert.All(stackTrace, line => Assert.StartsWith("at ", line));
        Assert.Equal(OutcomeKind.Response, next.Kind);
        Assert.Equal("\"ok\"", next.Text);
        Assert.Contains(_log.Documents, d => d.GetProperty("level").GetString() == "ERROR"
            && d.GetProperty("function_request_id").GetString() == "req-bad"
            && d.GetProperty("exception").GetString()!.Contains("the device exploded", StringComparison.Ordinal));
        Assert.Equal(0, await StopAsync(run));
    }

    [Fact]
    public async Task RunAsync_MissingAndInvalidSettings_PostsOneInitErrorNamingEverySettingAndReturnsNonZero()
    {
        var functions = new Dictionary<string, FunctionFactory>(StringComparer.Ordinal)
        {
            ["ingest"] = (startup, _) =>
            {
                startup.Settings.RequiredUrl("WAYLAY_DATA_URL");
                startup.Settings.Required("WAYLAY_CREDENTIALS_PARAMETER");
                startup.Settings.RequiredInt("MAX_RECEIVE_COUNT", 1, 1000);
                startup.Settings.Int("WAYLAY_REQUEST_TIMEOUT_MS", 5000, 100, 60000);
                startup.Settings.LogLevel();
                startup.Settings.ThrowIfInvalid();
                return Task.FromResult<IFunctionHandler>(new DelegateHandler((_, _, _) => Task.FromResult(Array.Empty<byte>())));
            },
        };
        var variables = Variables("ingest", ("WAYLAY_REQUEST_TIMEOUT_MS", "soon"), ("LOG_LEVEL", "Loud"));

        var result = await RunAsync(functions, variables).WaitAsync(TimeSpan.FromSeconds(30));
        var initError = await _api.InitErrorAsync();

        Assert.Equal(1, result);
        Assert.Equal(0, _api.NextCalls);
        Assert.Equal("SettingsException", initError.ErrorTypeHeader);
        using var document = JsonDocument.Parse(initError.Body);
        Assert.Equal("SettingsException", document.RootElement.GetProperty("errorType").GetString());
        var message = document.RootElement.GetProperty("errorMessage").GetString()!;
        Assert.Contains("WAYLAY_DATA_URL", message, StringComparison.Ordinal);
        Assert.Contains("WAYLAY_CREDENTIALS_PARAMETER", message, StringComparison.Ordinal);
        Assert.Contains("MAX_RECEIVE_COUNT", message, StringComparison.Ordinal);
        Assert.Contains("WAYLAY_REQUEST_TIMEOUT_MS", message, StringComparison.Ordinal);
        // Read twice (host and factory), reported once.
        Assert.Single(System.Text.RegularExpressions.Regex.Matches(message, "LOG_LEVEL"));
        Assert.Single(_api.Outcomes);
    }

    [Fact]
    public async Task RunAsync_FactoryFailsOnPlaceholderOfMissingSetting_ReportsTheSettingsNotTheSymptom()
    {
        var functions = new Dictionary<string, FunctionFactory>(StringComparer.Ordinal)
        {
            ["ingest"] = (startup, _) =>
            {
                var url = new Uri(startup.Settings.Required("WAYLAY_DATA_URL"));
                return Task.FromResult<IFunctionHandler>(new DelegateHandler((_, _, _) => Task.FromResult(System.Text.Encoding.UTF8.GetBytes(url.ToString()))));
            },
        };

        var result = await RunAsync(functions, Variables("ingest")).WaitAsync(TimeSpan.FromSeconds(30));
        var initError = await _api.InitErrorAsync();

        Assert.Equal(1, result);
        Assert.Equal("SettingsException", initError.ErrorTypeHeader);
        Assert.Contains("WAYLAY_DATA_URL is required but not set", ErrorMessage(initError), StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_HandlerCountsIntoItsInvocationsMetrics_OneLinePerInvocationFlushedByTheLoop()
    {
        var functions = new Dictionary<string, FunctionFactory>(StringComparer.Ordinal)
        {
            ["echo"] = (_, _) => Task.FromResult<IFunctionHandler>(new DelegateHandler((payload, context, _) =>
            {
                // No flush here: the loop owns the invocation's metrics and flushes them after the handler.
                context.Metrics.Count("Echoed", payload.Length);
                return Task.FromResult("{}"u8.ToArray());
            })),
        };
        var run = RunAsync(functions, Variables());

        _api.Enqueue("req-1", "{}", Now.AddSeconds(30));
        await _api.OutcomeAsync("req-1");
        _api.Enqueue("req-2", "{\"a\":1}", Now.AddSeconds(30));
        await _api.OutcomeAsync("req-2");

        var emf = _log.Documents.Where(d => d.TryGetProperty("_aws", out _)).ToList();
        Assert.Equal([2, 7], emf.Select(d => d.GetProperty("Echoed").GetInt32()));
        Assert.All(emf, d => Assert.Equal("queueing-test", d.GetProperty("FunctionName").GetString()));
        Assert.Equal(0, await StopAsync(run));
    }

    [Fact]
    public async Task RunAsync_HandlerThrowsAfterCounting_ItsMetricsAreStillFlushed()
    {
        var functions = new Dictionary<string, FunctionFactory>(StringComparer.Ordinal)
        {
            ["echo"] = (_, _) => Task.FromResult<IFunctionHandler>(new DelegateHandler((_, context, _) =>
            {
                context.Metrics.Count("BeforeTheFault");
                throw new InvalidOperationException("boom");
            })),
        };
        var run = RunAsync(functions, Variables());

        _api.Enqueue("req-1", "{}", Now.AddSeconds(30));
        await _api.OutcomeAsync("req-1");

        var emf = Assert.Single(_log.Documents, d => d.TryGetProperty("_aws", out _));
        Assert.Equal(1, emf.GetProperty("BeforeTheFault").GetInt32());
        Assert.Equal(0, await StopAsync(run));
    }

    [Fact]
    public async Task RunAsync_FactoryThrowsWithValidSettings_ReportsItsOwnException()
    {
        var functions = new Dictionary<string, FunctionFactory>(StringComparer.Ordinal)
        {
            ["ingest"] = (_, _) => Task.FromException<IFunctionHandler>(new InvalidOperationException("no route to the broker")),
        };

        var result = await RunAsync(functions, Variables("ingest")).WaitAsync(TimeSpan.FromSeconds(30));
        var initError = await _api.InitErrorAsync();

        Assert.Equal(1, result);
        Assert.Equal("InvalidOperationException", initError.ErrorTypeHeader);
        Assert.Equal("no route to the broker", ErrorMessage(initError));
    }

    [Theory]
    [InlineData("nope", "_HANDLER is 'nope'")]
    [InlineData("", "_HANDLER is required but not set")]
    public async Task RunAsync_UnknownHandler_PostsInitErrorListingHostedFunctions(string handler, string expected)
    {
        var functions = new Dictionary<string, FunctionFactory>(StringComparer.Ordinal)
        {
            ["command-publisher"] = (_, _) => throw new InvalidOperationException("must not be built"),
            ["command-api"] = (_, _) => throw new InvalidOperationException("must not be built"),
        };
        var variables = Variables(handler, ("LOG_LEVEL", "Chatty"));
        if (handler.Length == 0)
        {
            variables.Remove("_HANDLER");
        }

        var result = await RunAsync(functions, variables).WaitAsync(TimeSpan.FromSeconds(30));
        var initError = await _api.InitErrorAsync();

        Assert.Equal(1, result);
        Assert.Equal("SettingsException", initError.ErrorTypeHeader);
        var message = ErrorMessage(initError);
        Assert.Contains(expected, message, StringComparison.Ordinal);
        Assert.Contains("command-api, command-publisher", message, StringComparison.Ordinal);
        Assert.Contains("LOG_LEVEL", message, StringComparison.Ordinal);
        Assert.DoesNotContain("must not be built", message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_InitErrorPostRefused_StillReturnsNonZero()
    {
        _api.InitErrorStatus = 500;
        var functions = new Dictionary<string, FunctionFactory>(StringComparer.Ordinal);

        var result = await RunAsync(functions, Variables("ingest")).WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(1, result);
        Assert.Contains(_log.Documents, d => d.GetProperty("message").GetString()!.StartsWith("Could not report the init failure", StringComparison.Ordinal));
    }

    [Fact]
    public async Task RunAsync_Invocation_ContextCarriesRuntimeHeadersAndFakeTime()
    {
        var seen = new TaskCompletionSource<(string RequestId, DateTimeOffset Deadline, TimeSpan Remaining, TimeSpan RemainingLater, string Arn, string? TraceId, string Function, string? TraceVariable, bool IsCurrent)>();
        var functions = new Dictionary<string, FunctionFactory>(StringComparer.Ordinal)
        {
            ["echo"] = (startup, _) =>
            {
                var logger = startup.Loggers.CreateLogger("Test.Handler");
                return Task.FromResult<IFunctionHandler>(new DelegateHandler((_, context, _) =>
                {
                    var remaining = context.RemainingTime;
                    _time.Advance(TimeSpan.FromSeconds(10));
                    logger.LogInformation("Handling {DeviceId}", "lamp-1");
                    seen.SetResult((context.RequestId, context.Deadline, remaining, context.RemainingTime, context.FunctionArn, context.TraceId,
                        context.FunctionName, Environment.GetEnvironmentVariable("_X_AMZN_TRACE_ID"), ReferenceEquals(InvocationContext.Current, context)));
                    return Task.FromResult("{}"u8.ToArray());
                }));
            },
        };
        const string trace = "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1";
        const string arn = "arn:aws:lambda:eu-west-1:123456789012:function:queueing-ingest:live";
        var run = RunAsync(functions, Variables());

        _api.Enqueue("8476a536-e9f4-11e8-9739-2dfe598c3fcd", "{}", Now.AddMilliseconds(30_000), arn, trace);
        var context = await seen.Task.WaitAsync(TimeSpan.FromSeconds(30));
        await _api.OutcomeAsync("8476a536-e9f4-11e8-9739-2dfe598c3fcd");

        Assert.Equal("8476a536-e9f4-11e8-9739-2dfe598c3fcd", context.RequestId);
        Assert.Equal(Now.AddSeconds(30), context.Deadline);
        Assert.Equal(TimeSpan.FromSeconds(30), context.Remaining);
        Assert.Equal(TimeSpan.FromSeconds(20), context.RemainingLater);
        Assert.Equal(arn, context.Arn);
        Assert.Equal(trace, context.TraceId);
        Assert.Equal(trace, context.TraceVariable);
        Assert.Equal("queueing-test", context.Function);
        Assert.True(context.IsCurrent);
        var line = Assert.Single(_log.Documents, d => d.GetProperty("category").GetString() == "Test.Handler");
        Assert.Equal("8476a536-e9f4-11e8-9739-2dfe598c3fcd", line.GetProperty("function_request_id").GetString());
        Assert.Equal("1-5759e988-bd862e3fe1be46a994272793", line.GetProperty("xray_trace_id").GetString());
        Assert.Equal("lamp-1", line.GetProperty("deviceId").GetString());
        Assert.Equal(0, await StopAsync(run));
    }

    [Fact]
    public async Task RunAsync_ShutdownWhileWaitingForNext_ReturnsZeroWithoutPosting()
    {
        var run = RunAsync(Functions("echo", (_, _, _) => Task.FromResult(Array.Empty<byte>())), Variables());

        await _api.NextWaitingAsync();
        var result = await StopAsync(run);

        Assert.Equal(0, result);
        Assert.Empty(_api.Outcomes);
    }

    [Fact]
    public async Task RunAsync_ShutdownDuringInvocation_ReportsTheInvocationThenStops()
    {
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var functions = Functions("echo", async (_, _, cancellationToken) =>
        {
            started.SetResult();
            await Task.Delay(Timeout.Infinite, cancellationToken);
            return [];
        });
        var run = RunAsync(functions, Variables());

        _api.Enqueue("req-long", "{}", Now.AddSeconds(30));
        await started.Task.WaitAsync(TimeSpan.FromSeconds(30));
        var result = await StopAsync(run);
        var outcome = await _api.OutcomeAsync("req-long");

        Assert.Equal(0, result);
        Assert.Equal(OutcomeKind.Error, outcome.Kind);
        Assert.Equal("TaskCanceledException", outcome.ErrorTypeHeader);
    }

    [Fact]
    public async Task RunAsync_ResponseRefusedByRuntimeApi_LogsAndServesNextEvent()
    {
        // 413 is what the Runtime API answers to a response over the payload limit.
        _api.ResponseStatus = requestId => requestId == "req-huge" ? 413 : 202;
        var run = RunAsync(Functions("echo", (payload, _, _) => Task.FromResult(payload.ToArray())), Variables());

        _api.Enqueue("req-huge", "\"big\"", Now.AddSeconds(30));
        _api.Enqueue("req-next", "\"small\"", Now.AddSeconds(30));
        await _api.OutcomeAsync("req-huge");
        var next = await _api.OutcomeAsync("req-next");

        Assert.Equal("\"small\"", next.Text);
        Assert.Contains(_log.Documents, d => d.GetProperty("message").GetString()!.Contains("refused the outcome of req-huge", StringComparison.Ordinal));
        Assert.Equal(0, await StopAsync(run));
    }

    [Fact]
    public async Task RunAsync_DebugLevel_LogsEachInvocationsAllocationGcAndCpu()
    {
        const int Allocated = 4 * 1024 * 1024;
        var functions = Functions("echo", (_, _, _) =>
        {
            var buffer = new byte[Allocated];
            GC.KeepAlive(buffer);
            GC.Collect(0);
            return Task.FromResult("{}"u8.ToArray());
        });
        var run = RunAsync(functions, Variables());

        _api.Enqueue("req-1", "{}", Now.AddSeconds(30));
        await _api.OutcomeAsync("req-1");
        // The line follows the posted outcome; the loop writes it before it can see the shutdown.
        Assert.Equal(0, await StopAsync(run));

        var line = Assert.Single(_log.Documents, d => d.TryGetProperty("allocatedBytes", out _));
        Assert.Equal("DEBUG", line.GetProperty("level").GetString());
        Assert.Equal("Queueing.Runtime", line.GetProperty("category").GetString());
        Assert.Equal("req-1", line.GetProperty("invocationRequestId").GetString());
        // Process-wide counters: other tests may add to them. The imprecise allocation count is off by what the
        // threads' allocation contexts held at either end (kilobytes), so the 4 MiB shows as at least 3.5.
        Assert.True(line.GetProperty("allocatedBytes").GetInt64() >= Allocated - (Allocated / 8), line.ToString());
        Assert.True(line.GetProperty("gen0Collections").GetInt32() >= 1, line.ToString());
        Assert.True(line.GetProperty("gen1Collections").GetInt32() >= 0, line.ToString());
        Assert.True(line.GetProperty("gen2Collections").GetInt32() >= 0, line.ToString());
        Assert.True(line.GetProperty("gcPauseMs").GetDouble() > 0, line.ToString());
        Assert.True(line.GetProperty("cpuMs").GetDouble() > 0, line.ToString());
    }

    [Theory]
    [InlineData("Information")]
    [InlineData("Warning")]
    public async Task RunAsync_AboveDebugLevel_WritesNoCostLine(string level)
    {
        var run = RunAsync(Functions("echo", (_, _, _) => Task.FromResult("{}"u8.ToArray())), Variables("echo", ("LOG_LEVEL", level)));

        _api.Enqueue("req-1", "{}", Now.AddSeconds(30));
        _api.Enqueue("req-2", "{}", Now.AddSeconds(30));
        await _api.OutcomeAsync("req-2");
        Assert.Equal(0, await StopAsync(run));

        Assert.DoesNotContain(_log.Documents, d => d.TryGetProperty("allocatedBytes", out _));
    }

    private static string ErrorMessage(Outcome outcome)
    {
        using var document = JsonDocument.Parse(outcome.Body);
        return document.RootElement.GetProperty("errorMessage").GetString()!;
    }

    private sealed class DelegateHandler(Func<ReadOnlyMemory<byte>, InvocationContext, CancellationToken, Task<byte[]>> invoke) : IFunctionHandler
    {
        public Task<byte[]> InvokeAsync(ReadOnlyMemory<byte> payload, InvocationContext context, CancellationToken cancellationToken) =>
            invoke(payload, context, cancellationToken);
    }
}
