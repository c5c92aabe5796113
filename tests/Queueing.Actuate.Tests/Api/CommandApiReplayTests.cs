using System.Text.Json;
using Amazon.SQS;
using Microsoft.Extensions.Time.Testing;
using Queueing.Actuate.Api;
using Queueing.Actuate.Tests.Support;
using Queueing.Contracts.Events;
using Queueing.Testing;

namespace Queueing.Actuate.Tests.Api;

/// <summary>
/// A 202 is that command, delivered once, to that device: replays of one signed request, and one key reused for
/// other commands, against a real FIFO queue (moto) with the API on a controlled clock.
/// </summary>
public sealed class CommandApiReplayTests : IClassFixture<MotoServer>
{
    private const string Body = """{"deviceId":"lamp-1","payload":{"lightStatus":"on"}}""";
    private readonly AmazonSQSClient _sqs;
    private readonly FakeTimeProvider _time = Harness.Clock();

    public CommandApiReplayTests(MotoServer moto) => _sqs = moto.CreateSqs();

    private async Task<(CommandApiFunction Api, CommandQueues Queues)> ApiAsync()
    {
        var queues = await CommandQueues.CreateAsync(_sqs);
        return (Harness.Api(_sqs, queues.QueueUrl, new FakeSecret(Harness.Secret), _time), queues);
    }

    private static string CommandId(HttpApiResponse response) =>
        JsonDocument.Parse(response.Body!).RootElement.GetProperty("commandId").GetString()!;

    [Theory]
    [InlineData(null)]
    [InlineData("task-7:1764288000")]
    public async Task HandleAsync_OneSignedRequestReplayedOverTenMinutes_OneCommandOrA401NeverASecondDelivery(string? key)
    {
        var (api, queues) = await ApiAsync();
        var captured = SignedRequests.Post(Body, Harness.Secret, _time.GetUtcNow(), key);
        var first = await api.InvokeAsync(captured, _time);
        Assert.Equal(202, first.StatusCode);

        var replays = new List<(TimeSpan At, int Status)>();
        foreach (var at in new[] { TimeSpan.Zero, new TimeSpan(0, 4, 59), new TimeSpan(0, 5, 1), TimeSpan.FromMinutes(10) })
        {
            _time.SetUtcNow(Harness.Start + at);
            var replay = await api.InvokeAsync(captured, _time);
            replays.Add((at, replay.StatusCode));
            if (replay.StatusCode == 202)
            {
                Assert.Equal(CommandId(first), CommandId(replay));
            }
        }

        Assert.Equal([202, 401, 401, 401], replays.Select(r => r.Status));
        Assert.Equal(1, await CommandQueues.CountAsync(_sqs, queues.QueueUrl));
    }

    [Fact]
    public async Task HandleAsync_SignedOneMinuteAheadAndReplayedAtTheEdge_StillInsideSqsDeduplication()
    {
        // The worst case the window allows: the caller's clock 60 s ahead, the replay at the oldest accepted age.
        var (api, queues) = await ApiAsync();
        var window = ReplayWindow.Default;
        var captured = SignedRequests.Post(Body, Harness.Secret, _time.GetUtcNow() + window.MaxAhead);

        var first = await api.InvokeAsync(captured, _time);
        _time.Advance(window.MaxAhead + window.MaxAge);
        var lastAccepted = await api.InvokeAsync(captured, _time);
        _time.Advance(TimeSpan.FromSeconds(1));
        var refused = await api.InvokeAsync(captured, _time);

        Assert.Equal((202, 202, 401), (first.StatusCode, lastAccepted.StatusCode, refused.StatusCode));
        // The replay was checked this long after the first send; with the enqueue bound it is still inside 5 min.
        Assert.True(window.MaxAhead + window.MaxAge + ReplayWindow.EnqueueBound < ReplayWindow.DeduplicationInterval);
        Assert.Equal(CommandId(first), CommandId(lastAccepted));
        Assert.Equal(1, await CommandQueues.CountAsync(_sqs, queues.QueueUrl));
    }

    [Fact]
    public async Task HandleAsync_SameKeyForAnotherDevice_IsASeparateCommandAndBothAreEnqueued()
    {
        var (api, queues) = await ApiAsync();

        var lamp1 = await api.InvokeAsync(SignedRequests.Post(Body, Harness.Secret, _time.GetUtcNow(), "task-7:evt"), _time);
        var lamp2 = await api.InvokeAsync(SignedRequests.Post(Body.Replace("lamp-1", "lamp-2", StringComparison.Ordinal), Harness.Secret, _time.GetUtcNow(), "task-7:evt"), _time);

        Assert.Equal((202, 202), (lamp1.StatusCode, lamp2.StatusCode));
        Assert.NotEqual(CommandId(lamp1), CommandId(lamp2));
        var messages = await CommandQueues.PeekAllAsync(_sqs, queues.QueueUrl);
        Assert.Equal(["lamp-1", "lamp-2"], messages.Select(m => m.Attributes["MessageGroupId"]).Order());
        Assert.Equal(
            new[] { CommandId(lamp1), CommandId(lamp2) }.Order(),
            messages.Select(m => m.MessageAttributes["Queueing.CommandId"].StringValue).Order());
    }

    [Fact]
    public async Task HandleAsync_SameKeyForAnotherBodyOfTheSameDevice_IsASeparateCommand()
    {
        var (api, queues) = await ApiAsync();

        var on = await api.InvokeAsync(SignedRequests.Post(Body, Harness.Secret, _time.GetUtcNow(), "task-7:evt"), _time);
        var off = await api.InvokeAsync(SignedRequests.Post(Body.Replace("on", "off", StringComparison.Ordinal), Harness.Secret, _time.GetUtcNow(), "task-7:evt"), _time);

        Assert.Equal((202, 202), (on.StatusCode, off.StatusCode));
        Assert.NotEqual(CommandId(on), CommandId(off));
        Assert.Equal(2, await CommandQueues.CountAsync(_sqs, queues.QueueUrl));
    }

    [Fact]
    public async Task HandleAsync_SameKeyRetriedWithAFreshSignature_SameCommandEnqueuedOnce()
    {
        var (api, queues) = await ApiAsync();

        var first = await api.InvokeAsync(SignedRequests.Post(Body, Harness.Secret, _time.GetUtcNow(), "task-7:evt"), _time);
        _time.Advance(TimeSpan.FromSeconds(90));
        var retry = await api.InvokeAsync(SignedRequests.Post(Body, Harness.Secret, _time.GetUtcNow(), "task-7:evt"), _time);

        Assert.Equal((202, 202), (first.StatusCode, retry.StatusCode));
        Assert.Equal(CommandId(first), CommandId(retry));
        Assert.Equal(1, await CommandQueues.CountAsync(_sqs, queues.QueueUrl));
    }

    [Fact]
    public async Task HandleAsync_CapturedRequestReplayedWithAFreshKey_Refused()
    {
        var (api, queues) = await ApiAsync();
        var captured = SignedRequests.Post(Body, Harness.Secret, _time.GetUtcNow(), "original-key");
        Assert.Equal(202, (await api.InvokeAsync(captured, _time)).StatusCode);

        var refusals = new List<int>();
        for (var i = 0; i < 5; i++)
        {
            captured.Headers!["idempotency-key"] = "attacker-key-" + i;
            refusals.Add((await api.InvokeAsync(captured, _time)).StatusCode);
        }

        Assert.All(refusals, status => Assert.Equal(401, status));
        Assert.Equal(1, await CommandQueues.CountAsync(_sqs, queues.QueueUrl));
    }

    [Theory]
    [InlineData("999999999999")]
    [InlineData("99999999999")]
    [InlineData("18446744073709551616")]
    public async Task HandleAsync_OutOfRangeTimestamp_Answers401NotA500(string timestamp)
    {
        var (api, queues) = await ApiAsync();
        var request = SignedRequests.Post(Body, Harness.Secret, _time.GetUtcNow());
        request.Headers!["x-queueing-timestamp"] = timestamp;

        var response = await api.InvokeAsync(request, _time);

        Assert.Equal(401, response.StatusCode);
        ProblemAssert.IsProblem(response, 401);
        Assert.Equal(0, await CommandQueues.CountAsync(_sqs, queues.QueueUrl));
    }
}
