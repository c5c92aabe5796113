using System.Text;
using System.Text.Json.Nodes;
using Queueing.Emulators.Lambda;
using Queueing.Emulators.Template;
using Queueing.Local.Tests.Support;

namespace Queueing.Local.Tests.Lambda;

/// <summary>The emulator with the test function as a real child process speaking the real Runtime API protocol.</summary>
public sealed class FunctionRuntimeTests
{
    private readonly CapturedWriter _log = new();

    [Fact]
    public async Task InvokeAsync_Echo_ReturnsPayloadAndPrefixesLogs()
    {
        await using var runtime = await StartAsync(TestFunctionBinary.Function("echo"));

        var result = await runtime.InvokeAsync("{\"hello\":\"world\"}"u8.ToArray(), CancellationToken.None);

        Assert.Equal(InvocationOutcome.Response, result.Outcome);
        Assert.Equal("{\"hello\":\"world\"}", Encoding.UTF8.GetString(result.Payload));
        Assert.NotNull(result.InitDuration);
        Assert.Contains($"[TestFunction] echo: 17 bytes for {result.RequestId}", _log.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task InvokeAsync_SecondInvoke_ReusesWarmInstance()
    {
        await using var runtime = await StartAsync(TestFunctionBinary.Function("sleep"));

        var first = await runtime.InvokeAsync(Sleep(0), CancellationToken.None);
        var second = await runtime.InvokeAsync(Sleep(0), CancellationToken.None);

        Assert.Equal(1, Json(first)["invocation"]!.GetValue<int>());
        Assert.Equal(2, Json(second)["invocation"]!.GetValue<int>());
        Assert.Null(second.InitDuration);
        Assert.Equal(1, runtime.Instances[0].Starts);
    }

    [Fact]
    public async Task InvokeAsync_HandlerThrows_ReturnsFunctionErrorAndInstanceSurvives()
    {
        await using var runtime = await StartAsync(TestFunctionBinary.Function("throw"));

        var failed = await runtime.InvokeAsync("{}"u8.ToArray(), CancellationToken.None);
        var again = await runtime.InvokeAsync("{}"u8.ToArray(), CancellationToken.None);

        Assert.Equal(InvocationOutcome.FunctionError, failed.Outcome);
        Assert.Equal("InvalidOperationException", failed.ErrorType);
        Assert.Equal("requested failure", RuntimeErrorDocument.Message(failed.Payload));
        Assert.Equal(InvocationOutcome.FunctionError, again.Outcome);
        Assert.Equal(1, runtime.Instances[0].Starts);
    }

    [Fact]
    public async Task InvokeAsync_PastTimeout_TimesOutKillsInstanceAndNextInvokeStartsFresh()
    {
        await using var runtime = await StartAsync(TestFunctionBinary.Function("sleep", timeoutSeconds: 1));

        var warm = await runtime.InvokeAsync(Sleep(0), CancellationToken.None);
        var timedOut = await runtime.InvokeAsync(Sleep(30_000), CancellationToken.None);
        var after = await runtime.InvokeAsync(Sleep(0), CancellationToken.None);

        Assert.Equal(InvocationOutcome.Timeout, timedOut.Outcome);
        Assert.Equal("Sandbox.Timedout", timedOut.ErrorType);
        Assert.Contains("Task timed out after 1.00 seconds", RuntimeErrorDocument.Message(timedOut.Payload), StringComparison.Ordinal);
        Assert.Equal(InvocationOutcome.Response, after.Outcome);
        Assert.Equal(1, Json(after)["invocation"]!.GetValue<int>());
        Assert.NotEqual(Json(warm)["pid"]!.GetValue<int>(), Json(after)["pid"]!.GetValue<int>());
        Assert.NotNull(after.InitDuration);
        Assert.Equal(2, runtime.Instances[0].Starts);
    }

    [Fact]
    public async Task InvokeAsync_InitFails_ReportsInitErrorWithChildOutput()
    {
        await using var runtime = await StartAsync(TestFunctionBinary.Function("init-fail"));

        var result = await runtime.InvokeAsync("{}"u8.ToArray(), CancellationToken.None);

        Assert.Equal(InvocationOutcome.InitError, result.Outcome);
        Assert.Equal("SettingsException", result.ErrorType);
        Assert.Contains("TEST_REQUIRED_SETTING is required but not set", RuntimeErrorDocument.Message(result.Payload), StringComparison.Ordinal);
        Assert.Contains("init-fail: about to report a missing setting", result.RecentOutput, StringComparison.Ordinal);
    }

    [Fact]
    public async Task InvokeAsync_AfterInitFailure_NextInvokeRetriesInit()
    {
        await using var runtime = await StartAsync(TestFunctionBinary.Function("init-fail"));

        await runtime.InvokeAsync("{}"u8.ToArray(), CancellationToken.None);
        var second = await runtime.InvokeAsync("{}"u8.ToArray(), CancellationToken.None);

        // Lambda retries the init on the next invoke after a failed one.
        Assert.Equal(InvocationOutcome.InitError, second.Outcome);
        Assert.Equal(2, runtime.Instances[0].Starts);
    }

    [Fact]
    public async Task InvokeAsync_ProcessDiesMidInvocation_ReportsRuntimeExitErrorAndNextInvokeStartsFresh()
    {
        await using var runtime = await StartAsync(TestFunctionBinary.Function("crash"));

        var crashed = await runtime.InvokeAsync("{}"u8.ToArray(), CancellationToken.None);
        var again = await runtime.InvokeAsync("{}"u8.ToArray(), CancellationToken.None);

        Assert.Equal(InvocationOutcome.RuntimeExit, crashed.Outcome);
        Assert.Equal("Runtime.ExitError", crashed.ErrorType);
        Assert.Contains("Runtime exited with error: exit status 7", RuntimeErrorDocument.Message(crashed.Payload), StringComparison.Ordinal);
        Assert.Equal(InvocationOutcome.RuntimeExit, again.Outcome);
        Assert.Equal(2, runtime.Instances[0].Starts);
    }

    [Fact]
    public async Task InvokeAsync_InitNeverFinishes_FailsAtTheInitLimitAndStopsTheProcess()
    {
        await using var runtime = await StartAsync(TestFunctionBinary.Function("init-hang"), initTimeout: TimeSpan.FromSeconds(2));

        var result = await runtime.InvokeAsync("{}"u8.ToArray(), CancellationToken.None);

        Assert.Equal(InvocationOutcome.InitError, result.Outcome);
        Assert.Equal("Sandbox.Timedout", result.ErrorType);
        Assert.Contains("init phase did not finish within 2.00 seconds", RuntimeErrorDocument.Message(result.Payload), StringComparison.Ordinal);
        Assert.Null(runtime.Instances[0].ProcessId);
    }

    [Fact]
    public async Task InvokeAsync_ProcessExitsDuringInit_ReportsRuntimeExitErrorWithStatus()
    {
        await using var runtime = await StartAsync(TestFunctionBinary.Function("init-exit"));

        var result = await runtime.InvokeAsync("{}"u8.ToArray(), CancellationToken.None);

        Assert.Equal(InvocationOutcome.InitError, result.Outcome);
        Assert.Equal("Runtime.ExitError", result.ErrorType);
        Assert.Contains("exit status 3", RuntimeErrorDocument.Message(result.Payload), StringComparison.Ordinal);
    }

    [Fact]
    public async Task InvokeAsync_ExecutableMissing_ReportsInvalidEntrypoint()
    {
        var function = TestFunctionBinary.Function("echo");
        var launch = TestFunctionBinary.Launch(function) with { FileName = "/nonexistent/bootstrap" };
        await using var runtime = await FunctionRuntime.StartAsync(function, launch, new FunctionRuntimeOptions(), new FunctionOutput(_log), TimeProvider.System, CancellationToken.None);

        var result = await runtime.InvokeAsync("{}"u8.ToArray(), CancellationToken.None);

        Assert.Equal(InvocationOutcome.InitError, result.Outcome);
        Assert.Equal("Runtime.InvalidEntrypoint", result.ErrorType);
    }

    [Fact]
    public async Task InvokeAsync_HandlerSeesDeadlineArnAndTraceFromRuntimeApi()
    {
        var function = TestFunctionBinary.Function("sleep", timeoutSeconds: 5);
        await using var runtime = await StartAsync(function);

        var result = Json(await runtime.InvokeAsync(Sleep(0), CancellationToken.None));

        Assert.InRange(result["remainingMs"]!.GetValue<long>(), 1, 5000);
        Assert.Equal(function.Arn, result["functionArn"]!.ToString());
        Assert.StartsWith("Root=1-", result["traceId"]!.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task InvokeAsync_NoTracePassed_EachInvocationStartsItsOwnXRayTrace()
    {
        await using var runtime = await StartAsync(TestFunctionBinary.Function("sleep", timeoutSeconds: 5));
        var before = DateTimeOffset.UtcNow.ToUnixTimeSeconds();

        var first = Json(await runtime.InvokeAsync(Sleep(0), CancellationToken.None))["traceId"]!.ToString();
        var second = Json(await runtime.InvokeAsync(Sleep(0), CancellationToken.None))["traceId"]!.ToString();

        foreach (var trace in new[] { first, second })
        {
            var match = System.Text.RegularExpressions.Regex.Match(trace, "^Root=1-([0-9a-f]{8})-[0-9a-f]{24};Parent=[0-9a-f]{16};Sampled=1$");
            Assert.True(match.Success, trace);
            // The root's first part is the trace's start, in epoch seconds (X-Ray rejects roots far from now).
            Assert.InRange(long.Parse(match.Groups[1].Value, System.Globalization.NumberStyles.HexNumber, System.Globalization.CultureInfo.InvariantCulture), before - 1, before + 60);
        }

        Assert.NotEqual(Root(first), Root(second));
    }

    [Fact]
    public async Task InvokeAsync_TracePassedBySource_InvocationJoinsItsRootWithItsOwnParent()
    {
        const string Passed = "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1";
        await using var runtime = await StartAsync(TestFunctionBinary.Function("sleep", timeoutSeconds: 5));

        string explicitTrace;
        string ambientTrace;
        explicitTrace = Json(await runtime.InvokeAsync(Sleep(0), Passed, CancellationToken.None))["traceId"]!.ToString();
        using (InvocationTrace.Pass("Root=1-5759e988-00000000000000000000000a;Sampled=0"))
        {
            ambientTrace = Json(await runtime.InvokeAsync(Sleep(0), CancellationToken.None))["traceId"]!.ToString();
        }

        var afterScope = Json(await runtime.InvokeAsync(Sleep(0), CancellationToken.None))["traceId"]!.ToString();

        Assert.Matches("^Root=1-5759e988-bd862e3fe1be46a994272793;Parent=[0-9a-f]{16};Sampled=1$", explicitTrace);
        Assert.DoesNotContain("53995c3f42cd8ad8", explicitTrace, StringComparison.Ordinal);
        Assert.Matches("^Root=1-5759e988-00000000000000000000000a;Parent=[0-9a-f]{16};Sampled=0$", ambientTrace);
        Assert.DoesNotContain("5759e988", afterScope, StringComparison.Ordinal);
    }

    [Fact]
    public async Task InvokeAsync_PassedHeaderWithoutRoot_StartsANewTrace()
    {
        await using var runtime = await StartAsync(TestFunctionBinary.Function("sleep", timeoutSeconds: 5));

        var trace = Json(await runtime.InvokeAsync(Sleep(0), "Parent=53995c3f42cd8ad8;Sampled=1", CancellationToken.None))["traceId"]!.ToString();

        Assert.Matches("^Root=1-[0-9a-f]{8}-[0-9a-f]{24};Parent=[0-9a-f]{16};Sampled=1$", trace);
        Assert.DoesNotContain("53995c3f42cd8ad8", trace, StringComparison.Ordinal);
    }

    private static string Root(string trace) => trace.Split(';')[0];

    [Fact]
    public async Task InvokeAsync_Environment_IsTheLambdaOneWithoutHostLeaks()
    {
        var function = TestFunctionBinary.Function("env", environment: new Dictionary<string, string> { ["FROM_TEMPLATE"] = "yes" });
        await using var runtime = await StartAsync(function);

        var variables = Json(await runtime.InvokeAsync("{}"u8.ToArray(), CancellationToken.None)).AsObject();

        Assert.Equal("yes", variables["FROM_TEMPLATE"]!.ToString());
        Assert.Equal("env", variables["_HANDLER"]!.ToString());
        Assert.Equal("queueing-TestFunction", variables["AWS_LAMBDA_FUNCTION_NAME"]!.ToString());
        Assert.Equal("256", variables["AWS_LAMBDA_FUNCTION_MEMORY_SIZE"]!.ToString());
        Assert.Equal("$LATEST", variables["AWS_LAMBDA_FUNCTION_VERSION"]!.ToString());
        Assert.StartsWith("127.0.0.1:", variables["AWS_LAMBDA_RUNTIME_API"]!.ToString(), StringComparison.Ordinal);
        Assert.Equal("http://127.0.0.1:9", variables["AWS_ENDPOINT_URL"]!.ToString());
        // The test host has DOTNET_NOLOGO and friends; a Lambda sandbox would not.
        Assert.DoesNotContain(variables, v => v.Key.StartsWith("DOTNET_CLI", StringComparison.Ordinal) || v.Key == "DOTNET_NOLOGO");
    }

    [Fact]
    public async Task InvokeAsync_ConcurrencyTwo_ServesTwoInvocationsOnDistinctInstances()
    {
        await using var runtime = await StartAsync(TestFunctionBinary.Function("sleep"), concurrency: 2);
        // Warm both first so the two invocations below overlap only in their handler (no cold start skew).
        Assert.Empty(await runtime.WarmUpAsync(CancellationToken.None));

        var results = await Task.WhenAll(
            runtime.InvokeAsync(Sleep(300), CancellationToken.None),
            runtime.InvokeAsync(Sleep(300), CancellationToken.None));

        Assert.Equal([1, 2], results.Select(r => r.InstanceId).Order());
        Assert.NotEqual(Json(results[0])["pid"]!.GetValue<int>(), Json(results[1])["pid"]!.GetValue<int>());
        Assert.Contains("[TestFunction#2]", _log.ToString(), StringComparison.Ordinal);
    }

    private Task<FunctionRuntime> StartAsync(FunctionDefinition function, int concurrency = 1, TimeSpan? initTimeout = null) =>
        FunctionRuntime.StartAsync(
            function,
            TestFunctionBinary.Launch(function),
            new FunctionRuntimeOptions { Concurrency = concurrency, InitTimeout = initTimeout ?? FunctionInstance.DefaultInitTimeout },
            new FunctionOutput(_log),
            TimeProvider.System,
            CancellationToken.None);

    private static byte[] Sleep(int milliseconds) => Encoding.UTF8.GetBytes($"{{\"milliseconds\":{milliseconds}}}");

    private static JsonNode Json(InvocationResult result)
    {
        Assert.True(result.Outcome == InvocationOutcome.Response, $"{result.Outcome} {result.ErrorType}: {Encoding.UTF8.GetString(result.Payload)}\n{result.RecentOutput}");
        return JsonNode.Parse(result.Payload)!;
    }
}
