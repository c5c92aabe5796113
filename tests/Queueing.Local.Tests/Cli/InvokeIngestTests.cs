using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Amazon.SQS.Model;
using Microsoft.AspNetCore.Http;
using Queueing.Contracts.Events;
using Queueing.Contracts.Json;
using Queueing.Local.Events;
using Queueing.Local.Tests.Support;
using Queueing.Testing;

namespace Queueing.Local.Tests.Cli;

/// <summary>
/// <c>invoke IngestFunction</c> end to end: the real serverless.template, the real Ingest executable, moto for SQS
/// and SSM, and a loopback Waylay stand-in that counts the events it receives. Every record is counted.
/// </summary>
public sealed class InvokeIngestTests : IClassFixture<MotoServer>, IAsyncLifetime
{
    private readonly MotoServer _moto;
    private readonly TempDirectory _directory = new();
    private readonly List<JsonObject> _received = [];
    private readonly List<string?> _authorizations = [];
    private LoopbackHttpServer _waylay = null!;

    public InvokeIngestTests(MotoServer moto) => _moto = moto;

    public async Task InitializeAsync()
    {
        await _moto.ResetAsync();
        _waylay = await LoopbackHttpServer.StartAsync(async context =>
        {
            if (context.Request.Method != "POST" || context.Request.Path != "/data/v1/events")
            {
                context.Response.StatusCode = StatusCodes.Status404NotFound;
                return;
            }

            var events = (await JsonNode.ParseAsync(context.Request.Body))!.AsArray();
            lock (_received)
            {
                _received.AddRange(events.Select(e => e!.AsObject()));
                _authorizations.Add(context.Request.Headers.Authorization);
            }

            context.Response.StatusCode = StatusCodes.Status202Accepted;
            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync("""{"message":"event forwarded"}""");
        });
    }

    [Fact]
    public async Task Invoke_IngestWithTelemetryAndMalformedRecords_DeliversEveryGoodRecordAndParksTheRest()
    {
        var generator = new SqsEventGenerator(TimeProvider.System);
        var telemetry = generator.Generate(new SqsEventOptions { Device = "lamp-e2e", Count = 5, QueueName = "queueing-IngestQueue" });
        var malformed = generator.Generate(new SqsEventOptions { Raw = true, Body = "not json", QueueName = "queueing-IngestQueue" });
        var batch = new SqsEvent { Records = [.. telemetry.Records, .. malformed.Records] };
        var eventFile = _directory.File("batch.json");
        await File.WriteAllTextAsync(eventFile, JsonSerializer.Serialize(batch, SharedJsonContext.Default.SqsEvent));

        var run = await CliRun.RunAsync([
            "invoke", "IngestFunction", "--event", eventFile, "--template", RepositoryRoot.File("serverless.template"),
            "--no-build", "--configuration", TestFunctionBinary.Configuration,
            "--aws-endpoint", _moto.Endpoint.ToString(), "--waylay-url", _waylay.BaseAddress.ToString()]);

        Assert.True(run.ExitCode == 0, run.ToString());
        var response = JsonSerializer.Deserialize(run.Out, SharedJsonContext.Default.SqsBatchResponse)!;
        Assert.Empty(response.BatchItemFailures);

        // Delivered: every telemetry record reached the stand-in, once, with the local credentials.
        Assert.Equal(5, _received.Count);
        Assert.All(_received, e => Assert.Equal("lamp-e2e", e["resource"]!.ToString()));
        var basic = "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes("local-key:local-secret"));
        Assert.All(_authorizations, a => Assert.Equal(basic, a));

        // Parked: the malformed record is in the template's DLQ with its reason.
        using var sqs = _moto.CreateSqs();
        var dlq = (await sqs.GetQueueUrlAsync("queueing-IngestDLQ")).QueueUrl;
        var parked = await sqs.ReceiveMessageAsync(new ReceiveMessageRequest(dlq) { MaxNumberOfMessages = 10, MessageAttributeNames = ["All"] });
        var message = Assert.Single(parked.Messages ?? []);
        Assert.Equal("not json", message.Body);
        Assert.Equal("malformed", message.MessageAttributes["Queueing.Kind"].StringValue);

        // Counted: sent = delivered + parked, nothing lost.
        Assert.Equal(batch.Records.Count, _received.Count + (parked.Messages?.Count ?? 0));
    }

    [Fact]
    public async Task Invoke_ReadmeCommandEvent_DeliversEveryRecordToWaylay()
    {
        var eventFile = RepositoryRoot.File("events", "ingest-telemetry-batch.json");
        var sent = JsonSerializer.Deserialize(await File.ReadAllTextAsync(eventFile), SharedJsonContext.Default.SqsEvent)!.Records;

        var run = await InvokeAsync(eventFile);

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Empty(JsonSerializer.Deserialize(run.Out, SharedJsonContext.Default.SqsBatchResponse)!.BatchItemFailures);
        Assert.Equal(sent.Count, _received.Count);
        Assert.Equal(
            sent.Select(r => JsonNode.Parse(r.Body)!["deviceId"]!.ToString()).Order(StringComparer.Ordinal),
            _received.Select(e => e["resource"]!.ToString()).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Invoke_MixedBatchEvent_EveryRecordIsDeliveredOrParkedWithItsReason()
    {
        var eventFile = RepositoryRoot.File("events", "ingest-mixed-batch.json");
        var sent = JsonSerializer.Deserialize(await File.ReadAllTextAsync(eventFile), SharedJsonContext.Default.SqsEvent)!.Records;

        var run = await InvokeAsync(eventFile);

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Empty(JsonSerializer.Deserialize(run.Out, SharedJsonContext.Default.SqsBatchResponse)!.BatchItemFailures);
        var parked = await ReceiveAllAsync("queueing-IngestDLQ");
        Assert.NotEmpty(parked);
        Assert.All(parked, m => Assert.False(string.IsNullOrEmpty(m.MessageAttributes["Queueing.Kind"].StringValue)));
        Assert.All(parked, m => Assert.False(string.IsNullOrEmpty(m.MessageAttributes["Queueing.Error"].StringValue)));
        Assert.Equal(sent.Count, _received.Count + parked.Count);
    }

    [Fact]
    public async Task Invoke_EnvelopesFromTheLegacyAndTheTelemetryRule_DataReachesWaylayFlatAndTheSpoofIsParkedRejected()
    {
        var generator = new SqsEventGenerator(TimeProvider.System);
        var legacy = generator.Generate(new SqsEventOptions { Device = "lamp-old", Count = 3, LegacyTopic = "sensors/light" });
        var spoof = generator.Generate(new SqsEventOptions { Device = "lamp-old", LegacyTopic = "sensors/light", Body = """{"deviceID":"lamp-other","data":{"lightValue":1}}""" });
        var onTopic = generator.Generate(new SqsEventOptions { Device = "lamp-env", Body = """{"deviceID":"lamp-env","data":{"lightValue":5,"timestamp":1764201600000}}""" });
        var eventFile = _directory.File("envelopes.json");
        await File.WriteAllTextAsync(eventFile, JsonSerializer.Serialize(
            new SqsEvent { Records = [.. legacy.Records, .. spoof.Records, .. onTopic.Records] }, SharedJsonContext.Default.SqsEvent));

        var run = await InvokeAsync(eventFile, "--parameter-overrides", "TelemetryFormat=envelope");

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Empty(JsonSerializer.Deserialize(run.Out, SharedJsonContext.Default.SqsBatchResponse)!.BatchItemFailures);
        Assert.Equal(["lamp-env", "lamp-old", "lamp-old", "lamp-old"], _received.Select(e => e["resource"]!.ToString()).Order(StringComparer.Ordinal));
        Assert.All(_received, e => Assert.Equal(["resource", "timestamp", "lightValue"], e.Select(p => p.Key)));
        Assert.Equal(1764201600000, _received.Single(e => e["resource"]!.ToString() == "lamp-env")["timestamp"]!.GetValue<long>());
        var parked = Assert.Single(await ReceiveAllAsync("queueing-IngestDLQ"));
        Assert.Equal("rejected", parked.MessageAttributes["Queueing.Kind"].StringValue);
        Assert.Contains("deviceID 'lamp-other' disagrees with 'lamp-old'", parked.MessageAttributes["Queueing.Error"].StringValue, StringComparison.Ordinal);
        Assert.Equal(spoof.Records[0].Body, parked.Body);
    }

    [Fact]
    public async Task Invoke_GeneratedAcksAndPublisherStatuses_EachBecomesTheDocumentedWaylayEvent()
    {
        var generator = new SqsEventGenerator(TimeProvider.System);
        var done = generator.Generate(new SqsEventOptions { Device = "lamp-a", Ack = true, CommandId = "c-done" });
        var failed = generator.Generate(new SqsEventOptions
        {
            Device = "lamp-a", Ack = true, Body = """{"commandId":"c-failed","status":"failed","detail":"relay stuck"}""",
        });
        var statuses = QueueingApplication.PublisherStatuses
            .SelectMany(kind => generator.Generate(new SqsEventOptions { Device = "lamp-s", CommandStatus = kind, CommandId = "c-" + kind }).Records)
            .ToList();
        var eventFile = _directory.File("command-events.json");
        await File.WriteAllTextAsync(eventFile, JsonSerializer.Serialize(
            new SqsEvent { Records = [.. done.Records, .. failed.Records, .. statuses] }, SharedJsonContext.Default.SqsEvent));

        var run = await InvokeAsync(eventFile);

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Empty(JsonSerializer.Deserialize(run.Out, SharedJsonContext.Default.SqsBatchResponse)!.BatchItemFailures);
        Assert.Empty(await ReceiveAllAsync("queueing-IngestDLQ"));
        Assert.Equal(7, _received.Count);
        JsonObject Of(string commandId) => _received.Single(e => e["commandId"]?.ToString() == commandId);
        // (status, pending, resource, has a latency, detail) as docs/commands.md "What Waylay sees" lists them.
        (string?, int, string?, bool, string?) Shape(JsonObject e) => (
            e["commandStatus"]?.ToString(), e["commandPending"]!.GetValue<int>(), e["resource"]?.ToString(),
            e["commandLatencyMs"] is not null, e["commandDetail"]?.ToString());
        Assert.Equal(("acknowledged", 0, "lamp-a", true, null), Shape(Of("c-done")));
        Assert.Equal(("failed", 0, "lamp-a", false, "relay stuck"), Shape(Of("c-failed")));
        Assert.Equal(("published", 1, "lamp-s", true, null), Shape(Of("c-published")));
        Assert.Equal(("ackDue", 2, "lamp-s", true, null), Shape(Of("c-ackDue")));
        Assert.Equal(("rejected", 0, "lamp-s", true, "IoT Data Publish answered 403 Forbidden: not authorized (sample)"), Shape(Of("c-rejected")));
        Assert.Equal(("undelivered", 0, "lamp-s", true, "Receive 3 of 3: IoT Data Publish answered 503 Service Unavailable (sample)"), Shape(Of("c-undelivered")));
        var expired = Shape(Of("c-expired"));
        Assert.Equal(("expired", 0, "lamp-s", true), (expired.Item1, expired.Item2, expired.Item3, expired.Item4));
        Assert.StartsWith("Command c-expired expired at ", expired.Item5, StringComparison.Ordinal);
        // The generated acceptance is a second before the outcome: the latency Ingest computes from it.
        Assert.All(_received.Where(e => e["commandLatencyMs"] is not null), e => Assert.Equal(1000, e["commandLatencyMs"]!.GetValue<long>()));
        // Each event is timed by its outcome: the ack's receive time, the status's 'at'.
        var ackRecord = JsonNode.Parse(done.Records[0].Body)!;
        Assert.Equal(ackRecord["receivedAt"]!.GetValue<long>(), Of("c-done")["timestamp"]!.GetValue<long>());
    }

    private Task<CliRun> InvokeAsync(string eventFile, params string[] more) => CliRun.RunAsync([
        "invoke", "IngestFunction", "--event", eventFile, "--template", RepositoryRoot.File("serverless.template"),
        "--no-build", "--configuration", TestFunctionBinary.Configuration,
        "--aws-endpoint", _moto.Endpoint.ToString(), "--waylay-url", _waylay.BaseAddress.ToString(), .. more]);

    private async Task<List<Message>> ReceiveAllAsync(string queueName)
    {
        using var sqs = _moto.CreateSqs();
        var url = (await sqs.GetQueueUrlAsync(queueName)).QueueUrl;
        var all = new List<Message>();
        while (true)
        {
            var batch = await sqs.ReceiveMessageAsync(new ReceiveMessageRequest(url) { MaxNumberOfMessages = 10, MessageAttributeNames = ["All"] });
            if (batch.Messages is not { Count: > 0 })
            {
                return all;
            }

            all.AddRange(batch.Messages);
        }
    }

    public async Task DisposeAsync()
    {
        await _waylay.DisposeAsync();
        _directory.Dispose();
    }
}
