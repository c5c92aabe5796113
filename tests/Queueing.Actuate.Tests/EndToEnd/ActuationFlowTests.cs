using System.Text.Json;
using Amazon.SQS;
using Microsoft.Extensions.Time.Testing;
using Queueing.Actuate.Api;
using Queueing.Actuate.Publisher;
using Queueing.Actuate.Tests.Support;
using Queueing.Testing;

namespace Queueing.Actuate.Tests.EndToEnd;

/// <summary>
/// The whole command path: signed API call -> real CommandQueue.fifo (redrive to a FIFO DLQ) in moto -> the
/// publisher, driven like Lambda's event source mapping -> the IoT Data stand-in. Every test counts: each
/// accepted command is delivered exactly once or sits in the DLQ with its reason.
/// </summary>
public sealed class ActuationFlowTests : IClassFixture<MotoServer>, IAsyncLifetime
{
    private readonly MotoServer _moto;
    private readonly AmazonSQSClient _sqs;
    private readonly FakeTimeProvider _time = Harness.Clock();
    private FakeIotData _iot = null!;
    private CommandQueues _queues = null!;
    private CommandApiFunction _api = null!;
    private CommandPublisherFunction _publisher = null!;
    private FakeSqsEventSource _source = null!;
    private readonly List<(string CommandId, string DeviceId)> _accepted = [];

    public ActuationFlowTests(MotoServer moto)
    {
        _moto = moto;
        _sqs = moto.CreateSqs();
    }

    public async Task InitializeAsync()
    {
        _iot = await FakeIotData.StartAsync();
        _queues = await CommandQueues.CreateAsync(_sqs, maxReceiveCount: 3);
        _api = Harness.Api(_sqs, _queues.QueueUrl, await Harness.SecretInSsmAsync(_moto), _time);
        _publisher = Harness.PublisherFunction(Harness.Publisher(_iot.Endpoint, _time), _sqs, _queues.DeadLetterQueueUrl, _queues.StatusQueueUrl, _queues.MaxReceiveCount, _time);
        _source = Harness.EventSource(_sqs, _queues, _publisher, _time);
    }

    public async Task DisposeAsync() => await _iot.DisposeAsync();

    private async Task<string> SendAsync(string deviceId, object payload, int? ttlSeconds = null, string? idempotencyKey = null)
    {
        var body = JsonSerializer.Serialize(new Dictionary<string, object?> { ["deviceId"] = deviceId, ["payload"] = payload, ["ttlSeconds"] = ttlSeconds });
        var response = await _api.InvokeAsync(SignedRequests.Post(body, Harness.Secret, _time.GetUtcNow(), idempotencyKey), _time);
        Assert.Equal(202, response.StatusCode);
        using var answer = JsonDocument.Parse(response.Body!);
        var commandId = answer.RootElement.GetProperty("commandId").GetString()!;
        if (!_accepted.Contains((commandId, deviceId)))
        {
            _accepted.Add((commandId, deviceId));
        }

        return commandId;
    }

    private async Task<Dictionary<string, string>> DeadLettersAsync() =>
        (await CommandQueues.PeekAllAsync(_sqs, _queues.DeadLetterQueueUrl)).ToDictionary(
            m => m.MessageAttributes["Queueing.CommandId"].StringValue,
            m => m.MessageAttributes.TryGetValue("Queueing.Kind", out var kind) ? kind.StringValue : "(no reason)");

    /// <summary>Nothing lost: every accepted command was delivered once or is in the DLQ, and the queue is empty.</summary>
    private async Task AssertEveryCommandAccountedForAsync()
    {
        var delivered = _iot.Delivered.Select(d => d.CommandId!).ToList();
        var parked = await DeadLettersAsync();
        Assert.Equal(delivered.Count, delivered.Distinct().Count());
        Assert.Equal(0, await CommandQueues.CountAsync(_sqs, _queues.QueueUrl));
        Assert.Equal(_accepted.Count, delivered.Count + parked.Count);
        Assert.All(_accepted, a => Assert.True(delivered.Contains(a.CommandId) ^ parked.ContainsKey(a.CommandId), $"{a.CommandId} must be delivered or parked, not both or neither"));
    }

    /// <summary>Each device got its delivered commands in the order they were accepted.</summary>
    private void AssertPerDeviceOrder()
    {
        var delivered = _iot.Delivered.Select(d => d.CommandId!).ToList();
        foreach (var device in _accepted.GroupBy(a => a.DeviceId))
        {
            var expected = device.Select(a => a.CommandId).Where(delivered.Contains).ToList();
            var actual = _iot.Delivered.Where(d => d.Topic == $"devices/{device.Key}/commands").Select(d => d.CommandId!).ToList();
            Assert.Equal(expected, actual);
        }
    }

    [Fact]
    public async Task Flow_PublishFailsMidBatchAndIsRedelivered_PerDeviceOrderKeptNothingLost()
    {
        for (var i = 1; i <= 4; i++)
        {
            await SendAsync("lamp-a", new { step = i });
            await SendAsync("lamp-b", new { step = i });
        }

        // The second publish of the first batch fails; everything after it in that batch is retried.
        _iot.Script(200, 500);
        var (records, firstResponse) = await _source.PollOnceAsync();
        await _source.DrainAsync();

        Assert.True(records >= 2, $"the first batch held {records} records");
        Assert.NotEmpty(firstResponse!.BatchItemFailures);
        Assert.Equal(8, _iot.Delivered.Count);
        Assert.Contains(_iot.Attempts, a => a.AnsweredStatus == 500);
        AssertPerDeviceOrder();
        await AssertEveryCommandAccountedForAsync();
    }

    [Fact]
    public async Task Flow_EachCommandsPublish_CarriesTheTraceOfTheApiInvocationThatAcceptedIt()
    {
        // Two API invocations with their own traces, then one publisher batch holding both commands: each publish
        // joins its own command's trace (its message's AWSTraceHeader), not the batch's first.
        string[] traces =
        [
            "Root=1-692f8c00-00000000000000000000000a;Parent=1111111111111111;Sampled=1",
            "Root=1-692f8c00-00000000000000000000000b;Parent=2222222222222222;Sampled=1",
        ];
        var commandIds = new List<string>();
        for (var i = 0; i < traces.Length; i++)
        {
            var body = JsonSerializer.Serialize(new Dictionary<string, object?> { ["deviceId"] = "lamp-t", ["payload"] = i });
            var response = await _api.InvokeAsync(SignedRequests.Post(body, Harness.Secret, _time.GetUtcNow()), _time, traceId: traces[i]);
            Assert.Equal(202, response.StatusCode);
            using var answer = JsonDocument.Parse(response.Body!);
            commandIds.Add(answer.RootElement.GetProperty("commandId").GetString()!);
            _accepted.Add((commandIds[^1], "lamp-t"));
        }

        await _source.DrainAsync();

        Assert.Equal(commandIds, _iot.Delivered.Select(d => d.CommandId));
        Assert.Equal(traces, _iot.Delivered.Select(d => d.TraceHeader));
        await AssertEveryCommandAccountedForAsync();
    }

    [Fact]
    public async Task Flow_ThrottledRepeatedly_OrderKeptAcrossRedeliveries()
    {
        for (var i = 1; i <= 5; i++)
        {
            await SendAsync("lamp-a", i);
        }

        // Each 429 costs every record behind it a receive too, so the script stays within maxReceiveCount (3).
        _iot.Script(429, 200, 429);
        await _source.DrainAsync();

        Assert.Equal(5, _iot.Delivered.Count);
        Assert.Equal(["1", "2", "3", "4", "5"], _iot.Delivered.Select(d => d.Payload));
        await AssertEveryCommandAccountedForAsync();
    }

    [Fact]
    public async Task Flow_CommandExpiresBeforeItCanBePublished_ParkedAsExpiredNeverPublished()
    {
        var stale = await SendAsync("lamp-a", new { lightStatus = "off" }, ttlSeconds: 30);
        _time.Advance(TimeSpan.FromSeconds(31));
        var fresh = await SendAsync("lamp-a", new { lightStatus = "on" }, ttlSeconds: 30);

        await _source.DrainAsync();

        Assert.DoesNotContain(_iot.Attempts, a => a.CommandId == stale);
        Assert.Equal([fresh], _iot.Delivered.Select(d => d.CommandId));
        Assert.Equal("expired", (await DeadLettersAsync())[stale]);
        await AssertEveryCommandAccountedForAsync();
    }

    [Fact]
    public async Task Flow_DuplicateCallWithTheSameIdempotencyKey_PublishedOnce()
    {
        var first = await SendAsync("lamp-a", new { lightStatus = "on" }, idempotencyKey: "waylay-task-9:evt-1");
        _time.Advance(TimeSpan.FromSeconds(5));
        var retry = await SendAsync("lamp-a", new { lightStatus = "on" }, idempotencyKey: "waylay-task-9:evt-1");

        await _source.DrainAsync();

        Assert.Equal(first, retry);
        Assert.Equal([first], _iot.Delivered.Select(d => d.CommandId));
        await AssertEveryCommandAccountedForAsync();
    }

    [Fact]
    public async Task Flow_IotDownForEveryAllowedReceive_AllParkedAsExhaustedWithReasons()
    {
        await SendAsync("lamp-a", 1);
        await SendAsync("lamp-a", 2);
        await SendAsync("lamp-b", 3);
        _iot.Rule = _ => 503;

        await _source.DrainAsync();

        Assert.Empty(_iot.Delivered);
        var parked = await DeadLettersAsync();
        Assert.Equal(3, parked.Count);
        Assert.All(parked.Values, kind => Assert.Equal("exhausted", kind));
        await AssertEveryCommandAccountedForAsync();
    }

    [Fact]
    public async Task Flow_ManyDevicesWithFaultsInjected_EveryCommandDeliveredInOrderOrParkedWithItsReason()
    {
        var random = new Random(1234);
        var devices = Enumerable.Range(1, 6).Select(i => $"lamp-{i}").ToArray();
        for (var i = 0; i < 40; i++)
        {
            await SendAsync(devices[random.Next(devices.Length)], new { n = i });
        }

        // lamp-6 may not be published to (403, permanent); elsewhere one attempt in five fails transiently.
        var faults = new Random(99);
        _iot.Rule = publish => publish.Topic == "devices/lamp-6/commands" ? 403
            : faults.Next(5) == 0 ? (faults.Next(2) == 0 ? 429 : 500)
            : 200;

        await _source.DrainAsync(maxPolls: 200);

        var parked = await DeadLettersAsync();
        Assert.All(parked, p => Assert.Contains(p.Value, new[] { "rejected", "exhausted" }));
        Assert.All(_accepted.Where(a => a.DeviceId == "lamp-6"), a => Assert.Equal("rejected", parked[a.CommandId]));
        Assert.Empty(_iot.SignatureFailures);
        AssertPerDeviceOrder();
        await AssertEveryCommandAccountedForAsync();
    }
}
