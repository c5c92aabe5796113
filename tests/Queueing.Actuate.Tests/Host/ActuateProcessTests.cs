using System.Diagnostics;
using System.Text;
using System.Text.Json;
using Amazon.SQS;
using Amazon.SimpleSystemsManagement;
using Amazon.SimpleSystemsManagement.Model;
using Queueing.Actuate.Commands;
using Queueing.Actuate.Tests.Support;
using Queueing.Contracts.Events;
using Queueing.Contracts.Json;
using Queueing.Testing;

namespace Queueing.Actuate.Tests.Host;

/// <summary>
/// The real executable, as Lambda runs it: a child process on the Runtime API, configured only by environment
/// variables, with AWS clients built from the default configuration — so AWS_ENDPOINT_URL (moto here) and the
/// default credential chain (AWS_ACCESS_KEY_ID/...) are what it uses.
/// </summary>
public sealed class ActuateProcessTests : IClassFixture<MotoServer>
{
    private readonly MotoServer _moto;
    private readonly AmazonSQSClient _sqs;

    public ActuateProcessTests(MotoServer moto)
    {
        _moto = moto;
        _sqs = moto.CreateSqs();
    }

    private async Task<(OutcomeKind Kind, string Body)> RunOnceAsync(byte[] @event, Dictionary<string, string> environment)
    {
        await using var runtime = await FakeRuntimeApi.StartAsync();
        runtime.Enqueue("8476a536-e9f4-11e8-9739-2dfe598c3fcd", @event, DateTimeOffset.UtcNow.AddSeconds(30),
            traceId: "Root=1-5bef4de7-ad49b0e87f6ef6c87fc2e700;Parent=9a9197af755a6419;Sampled=1");
        foreach (var (name, value) in _moto.ClientEnvironment)
        {
            environment.TryAdd(name, value);
        }

        var output = new StringBuilder();
        using var process = StartFunction(runtime.Address, environment, output);
        try
        {
            var outcome = await runtime.FirstOutcome.WaitAsync(TimeSpan.FromSeconds(60));
            return (outcome.Kind, outcome.Text);
        }
        catch (TimeoutException)
        {
            string written;
            lock (output)
            {
                written = output.ToString();
            }

            throw new TimeoutException("The function posted no outcome within 60 s. Its output:\n" + written);
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }

            await process.WaitForExitAsync();
        }
    }

    /// <summary>
    /// Runs <c>Queueing.Actuate</c> from its own build output (built with the tests, same configuration) against the
    /// Runtime API at <paramref name="runtimeApi"/>, collecting stdout and stderr (its JSON log lines) into
    /// <paramref name="output"/>. Not the copy next to the tests: that one would resolve its dependencies against the test host.
    /// </summary>
    private static Process StartFunction(string runtimeApi, IReadOnlyDictionary<string, string> environment, StringBuilder output)
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

        start.Environment["AWS_LAMBDA_RUNTIME_API"] = runtimeApi;
        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("dotnet did not start.");
        process.OutputDataReceived += (_, e) => { lock (output) { output.AppendLine(e.Data); } };
        process.ErrorDataReceived += (_, e) => { lock (output) { output.AppendLine(e.Data); } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    [Fact]
    public async Task CommandApi_SignedEvent_Answers202AndTheCommandIsInTheQueue()
    {
        var queues = await CommandQueues.CreateAsync(_sqs);
        var parameter = "/queueing/test/" + Guid.NewGuid().ToString("N")[..8];
        await _moto.CreateSsm().PutParameterAsync(new PutParameterRequest { Name = parameter, Value = Harness.Secret, Type = ParameterType.SecureString });
        var request = SignedRequests.Post("""{"deviceId":"lamp-1","payload":{"lightStatus":"on"}}""", Harness.Secret, DateTimeOffset.UtcNow);

        var (kind, body) = await RunOnceAsync(JsonSerializer.SerializeToUtf8Bytes(request, SharedJsonContext.Default.HttpApiRequest), new()
        {
            ["_HANDLER"] = "command-api",
            ["AWS_LAMBDA_FUNCTION_NAME"] = "CommandApiFunction",
            ["COMMAND_QUEUE_URL"] = queues.QueueUrl,
            ["COMMAND_SIGNING_SECRET_PARAMETER"] = parameter,
            ["COMMAND_TOPIC_TEMPLATE"] = "devices/{deviceId}/commands",
            ["COMMAND_TTL_DEFAULT_SECONDS"] = "300",
            ["COMMAND_TTL_MAX_SECONDS"] = "3600",
            ["LOG_LEVEL"] = "Debug",
        });

        Assert.Equal(OutcomeKind.Response, kind);
        var response = JsonSerializer.Deserialize(body, SharedJsonContext.Default.HttpApiResponse)!;
        Assert.True(response.StatusCode == 202, response.Body);
        var message = Assert.Single(await CommandQueues.PeekAllAsync(_sqs, queues.QueueUrl));
        Assert.Contains(JsonDocument.Parse(response.Body!).RootElement.GetProperty("commandId").GetString()!, message.Body);
    }

    [Fact]
    public async Task CommandPublisher_SqsEvent_PublishesWithTheRoleCredentialsFromTheEnvironment()
    {
        await using var iot = await FakeIotData.StartAsync();
        var queues = await CommandQueues.CreateAsync(_sqs);
        var command = TestCommands.For("lamp-1", "{\"lightStatus\":\"on\"}", DateTimeOffset.UtcNow);
        var sqsEvent = new SqsEvent { Records = [TestCommands.Record(command)] };

        var (kind, body) = await RunOnceAsync(JsonSerializer.SerializeToUtf8Bytes(sqsEvent, SharedJsonContext.Default.SqsEvent), new()
        {
            ["_HANDLER"] = "command-publisher",
            ["AWS_LAMBDA_FUNCTION_NAME"] = "CommandPublisherFunction",
            ["IOT_DATA_ENDPOINT"] = iot.Endpoint.ToString(),
            ["COMMAND_TOPIC_TEMPLATE"] = "devices/{deviceId}/commands",
            ["DEAD_LETTER_QUEUE_URL"] = queues.DeadLetterQueueUrl,
            ["STATUS_QUEUE_URL"] = queues.StatusQueueUrl,
            ["MAX_RECEIVE_COUNT"] = "5",
        });

        Assert.Equal((OutcomeKind.Response, """{"batchItemFailures":[]}"""), (kind, body));
        Assert.Empty(iot.SignatureFailures);
        Assert.Equal(command.CommandId, Assert.Single(iot.Delivered).CommandId);
        // Its fate went to the status queue with the same role credentials: published now, the ackDue held back.
        var status = Assert.Single(await CommandQueues.PeekAllAsync(_sqs, queues.StatusQueueUrl));
        Assert.Contains("\"commandEvent\":\"published\"", status.Body, StringComparison.Ordinal);
        Assert.Contains(command.CommandId, status.Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CommandApi_BadSettings_InitErrorNamesEveryProblem()
    {
        var (kind, body) = await RunOnceAsync("{}"u8.ToArray(), new()
        {
            ["_HANDLER"] = "command-api",
            ["COMMAND_QUEUE_URL"] = "https://sqs.us-east-1.amazonaws.com/123456789012/CommandQueue",
            ["COMMAND_TOPIC_TEMPLATE"] = "devices/+/{deviceId}",
            ["COMMAND_TTL_DEFAULT_SECONDS"] = "600",
            ["COMMAND_TTL_MAX_SECONDS"] = "60",
        });

        Assert.Equal(OutcomeKind.InitError, kind);
        var message = JsonDocument.Parse(body).RootElement.GetProperty("errorMessage").GetString();
        Assert.Contains("COMMAND_SIGNING_SECRET_PARAMETER is required", message);
        Assert.Contains("COMMAND_TOPIC_TEMPLATE 'devices/+/{deviceId}' must not contain the MQTT wildcards", message);
        Assert.Contains("must not exceed COMMAND_TTL_MAX_SECONDS", message);
        Assert.Contains("must be a FIFO queue", message);
    }

    [Fact]
    public async Task CommandApi_SigningSecretShorterThan32Bytes_InitErrorNamesTheParameter()
    {
        var queues = await CommandQueues.CreateAsync(_sqs);
        var parameter = "/queueing/test/" + Guid.NewGuid().ToString("N")[..8];
        await _moto.CreateSsm().PutParameterAsync(new PutParameterRequest { Name = parameter, Value = "only-24-bytes-of-secret!", Type = ParameterType.SecureString });

        var (kind, body) = await RunOnceAsync("{}"u8.ToArray(), new()
        {
            ["_HANDLER"] = "command-api",
            ["COMMAND_QUEUE_URL"] = queues.QueueUrl,
            ["COMMAND_SIGNING_SECRET_PARAMETER"] = parameter,
            ["COMMAND_TOPIC_TEMPLATE"] = "devices/{deviceId}/commands",
            ["COMMAND_TTL_DEFAULT_SECONDS"] = "300",
            ["COMMAND_TTL_MAX_SECONDS"] = "3600",
        });

        Assert.Equal(OutcomeKind.InitError, kind);
        var message = JsonDocument.Parse(body).RootElement.GetProperty("errorMessage").GetString();
        Assert.Contains("COMMAND_SIGNING_SECRET_PARAMETER", message);
        Assert.Contains(parameter, message);
        Assert.Contains("24 bytes; at least 32", message);
    }

    [Fact]
    public async Task CommandApi_ClockSkewOutOfRange_InitErrorNamesTheSetting()
    {
        var (kind, body) = await RunOnceAsync("{}"u8.ToArray(), new()
        {
            ["_HANDLER"] = "command-api",
            ["COMMAND_QUEUE_URL"] = "https://sqs.us-east-1.amazonaws.com/123456789012/CommandQueue.fifo",
            ["COMMAND_SIGNING_SECRET_PARAMETER"] = "/queueing/command-signing-secret",
            ["COMMAND_TOPIC_TEMPLATE"] = "devices/{deviceId}/commands",
            ["COMMAND_TTL_DEFAULT_SECONDS"] = "300",
            ["COMMAND_TTL_MAX_SECONDS"] = "3600",
            ["COMMAND_CLOCK_SKEW_SECONDS"] = "300",
        });

        Assert.Equal(OutcomeKind.InitError, kind);
        Assert.Contains("COMMAND_CLOCK_SKEW_SECONDS must be an integer from 0 to 60", JsonDocument.Parse(body).RootElement.GetProperty("errorMessage").GetString());
    }

    [Fact]
    public async Task Executable_UnknownHandler_InitErrorListsTheHandlers()
    {
        var (kind, body) = await RunOnceAsync("{}"u8.ToArray(), new() { ["_HANDLER"] = "ingest" });

        Assert.Equal(OutcomeKind.InitError, kind);
        Assert.Contains("command-api, command-publisher", JsonDocument.Parse(body).RootElement.GetProperty("errorMessage").GetString());
    }
}
