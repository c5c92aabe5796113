using System.Diagnostics;
using System.Text;
using System.Text.Json;
using Queueing.Contracts.DeadLetters;
using Queueing.Ingest.Tests.Support;
using Queueing.Testing;

namespace Queueing.Ingest.Tests.Integration;

/// <summary>
/// The function executable itself (Program.cs -> FunctionHost -> IngestFunctionFactory) as Lambda runs it: a
/// child process under a Runtime API, configured only by environment variables, with default-config AWS
/// clients redirected to moto by AWS_ENDPOINT_URL. (The Native AOT build of the same code is exercised by
/// `dotnet run --project src/Local -- invoke IngestFunction`.)
/// </summary>
public sealed class IngestExecutableTests : IClassFixture<MotoServer>
{
    private readonly MotoServer _moto;

    public IngestExecutableTests(MotoServer moto) => _moto = moto;

    /// <summary>
    /// The Ingest build output next to this test's (same configuration). Not the copy in the test's own folder:
    /// that folder resolves assemblies for an ASP.NET Core app, the function is a plain console app.
    /// </summary>
    private static string ExecutablePath
    {
        get
        {
            var framework = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
            return RepositoryRoot.File("src", "Ingest", "bin", framework.Parent!.Name, framework.Name, "Queueing.Ingest.dll");
        }
    }

    private static Process Start(FakeRuntimeApi runtime, IReadOnlyDictionary<string, string> environment, StringBuilder stdout)
    {
        // QUEUEING_INGEST_EXECUTABLE runs these tests against another build of the function, e.g. the Native AOT
        // `bootstrap` from `dotnet publish src/Ingest -c Release -r linux-x64 -p:PublishAot=true -o DIR`.
        var published = Environment.GetEnvironmentVariable("QUEUEING_INGEST_EXECUTABLE");
        var start = new ProcessStartInfo(published ?? "dotnet", published is null ? [ExecutablePath] : [])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var name in new[] { "AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL_SQS", "AWS_ENDPOINT_URL_SSM" })
        {
            start.Environment.Remove(name);
        }

        start.Environment["AWS_LAMBDA_RUNTIME_API"] = runtime.Address;
        start.Environment["_HANDLER"] = "ingest";
        start.Environment["AWS_LAMBDA_FUNCTION_NAME"] = "IngestFunction";
        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        var process = Process.Start(start)!;
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) { lock (stdout) { stdout.AppendLine(e.Data); } } };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) { lock (stdout) { stdout.AppendLine(e.Data); } } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    /// <summary>A Runtime API with one SQS event (<paramref name="sqsEvent"/>) queued as req-1.</summary>
    private static async Task<FakeRuntimeApi> RuntimeWithAsync(byte[] sqsEvent)
    {
        var runtime = await FakeRuntimeApi.StartAsync();
        runtime.Enqueue("req-1", sqsEvent, DateTimeOffset.UtcNow.AddSeconds(60), "arn:aws:lambda:us-east-1:123456789012:function:IngestFunction",
            "Root=1-5759e988-bd862e3fe1be46a994272793;Sampled=1");
        return runtime;
    }

    private static async Task<(OutcomeKind Kind, string Body)> OutcomeAsync(FakeRuntimeApi runtime, Process process, StringBuilder stdout)
    {
        var finished = await Task.WhenAny(runtime.FirstOutcome, process.WaitForExitAsync(), Task.Delay(TimeSpan.FromSeconds(90)));
        Assert.True(finished == runtime.FirstOutcome, "The function did not answer the Runtime API. Output:\n" + stdout);
        var outcome = await runtime.FirstOutcome;
        return (outcome.Kind, outcome.Text);
    }

    private static void Stop(Process process)
    {
        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
        }

        process.WaitForExit(10_000);
        process.Dispose();
    }

    [Fact]
    public async Task Executable_MixedBatchEvent_DeliversParksAndAnswersUnderTheRuntimeApi()
    {
        using var stack = await IngestStack.CreateAsync(_moto, "key-1", "secret-1");
        await using var waylay = await FakeWaylayBroker.StartAsync("key-1", "secret-1");
        await using var runtime = await RuntimeWithAsync(await File.ReadAllBytesAsync(RepositoryRoot.File("events", "ingest-mixed-batch.json")));
        var stdout = new StringBuilder();
        var environment = new Dictionary<string, string>(_moto.ClientEnvironment)
        {
            ["WAYLAY_DATA_URL"] = waylay.BaseAddress.ToString(),
            ["WAYLAY_CREDENTIALS_PARAMETER"] = stack.Parameter,
            ["DEAD_LETTER_QUEUE_URL"] = stack.DeadLetterQueueUrl,
            ["MAX_RECEIVE_COUNT"] = "3",
            ["LOG_LEVEL"] = "Debug",
        };
        var process = Start(runtime, environment, stdout);
        try
        {
            var (kind, body) = await OutcomeAsync(runtime, process, stdout);

            Assert.Equal(OutcomeKind.Response, kind);
            Assert.Equal("{\"batchItemFailures\":[]}", body);
        }
        finally
        {
            Stop(process);
        }

        Assert.Equal(["lamp-1", "lamp-2", "thermo-1"], waylay.Delivered.Select(e => e.GetProperty("resource").GetString()).Order());
        var dead = await stack.DeadLettersAsync();
        Assert.Equal(5, dead.Count);
        Assert.All(dead, m =>
        {
            Assert.Equal("malformed", m.MessageAttributes[DeadLetterAttributes.Kind].StringValue);
            Assert.Equal("IngestFunction", m.MessageAttributes[DeadLetterAttributes.Function].StringValue);
            Assert.Equal("arn:aws:sqs:us-east-1:123456789012:IngestQueue", m.MessageAttributes[DeadLetterAttributes.SourceQueue].StringValue);
        });
        var emf = stdout.ToString().Split('\n').Where(l => l.Contains("\"_aws\"", StringComparison.Ordinal)).Select(l => JsonDocument.Parse(l).RootElement).Single();
        Assert.Equal(8, emf.GetProperty("Received").GetInt32());
        Assert.Equal(3, emf.GetProperty("Delivered").GetInt32());
        Assert.Equal(5, emf.GetProperty("ParkedMalformed").GetInt32());
        Assert.Contains("\"function_request_id\":\"req-1\"", stdout.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Executable_SettingsMissing_ReportsEveryOneAsAnInitError()
    {
        await using var runtime = await RuntimeWithAsync([]);
        var stdout = new StringBuilder();
        var process = Start(runtime, new Dictionary<string, string>(_moto.ClientEnvironment) { ["MAX_RECEIVE_COUNT"] = "zero" }, stdout);
        try
        {
            var (kind, body) = await OutcomeAsync(runtime, process, stdout);

            Assert.Equal(OutcomeKind.InitError, kind);
            var error = JsonDocument.Parse(body).RootElement;
            Assert.Equal("SettingsException", error.GetProperty("errorType").GetString());
            var message = error.GetProperty("errorMessage").GetString()!;
            foreach (var name in new[] { "WAYLAY_DATA_URL", "WAYLAY_CREDENTIALS_PARAMETER", "DEAD_LETTER_QUEUE_URL", "MAX_RECEIVE_COUNT" })
            {
                Assert.Contains(name, message, StringComparison.Ordinal);
            }

            Assert.True(process.WaitForExit(30_000));
            Assert.Equal(1, process.ExitCode);
        }
        finally
        {
            Stop(process);
        }
    }
}
