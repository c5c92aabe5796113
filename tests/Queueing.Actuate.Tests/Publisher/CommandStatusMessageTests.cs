using System.Text;
using System.Text.Json;
using Amazon.SQS;
using Amazon.SQS.Model;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using Queueing.Actuate.Commands;
using Queueing.Actuate.Publisher;
using Queueing.Actuate.Tests.Support;
using Queueing.Contracts.Commands;
using Queueing.Contracts.Events;
using Queueing.Shared.Logging;
using Queueing.Testing;

namespace Queueing.Actuate.Tests.Publisher;

/// <summary>
/// The publisher's status messages (issue 15) in a real standard queue in moto standing in for IngestQueue: one
/// per fate, after publishing and parking; the ackDue held back by SQS until the command expires; a status that
/// cannot be sent is retried once, then logged and counted, and never fails the command.
/// </summary>
public sealed class CommandStatusMessageTests : IClassFixture<MotoServer>, IAsyncLifetime
{
    private const int MaxReceiveCount = 3;
    private readonly MotoServer _moto;
    private readonly AmazonSQSClient _sqs;
    private readonly FakeTimeProvider _time = Harness.Clock();
    private FakeIotData _iot = null!;
    private CommandQueues _queues = null!;

    public CommandStatusMessageTests(MotoServer moto)
    {
        _moto = moto;
        _sqs = moto.CreateSqs();
    }

    public async Task InitializeAsync()
    {
        _iot = await FakeIotData.StartAsync();
        _queues = await CommandQueues.CreateAsync(_sqs, MaxReceiveCount);
    }

    public async Task DisposeAsync() => await _iot.DisposeAsync();

    private Command Command(string deviceId, int ttlSeconds = 300) => TestCommands.For(deviceId, "{\"lightStatus\":\"on\"}", _time.GetUtcNow(), ttlSeconds);

    private CommandPublisherFunction Function(IAmazonSQS? sqs = null, string? statusQueueUrl = null, ILogger? statusLogger = null) =>
        Harness.PublisherFunction(Harness.Publisher(_iot.Endpoint, _time), sqs ?? _sqs, _queues.DeadLetterQueueUrl, statusQueueUrl ?? _queues.StatusQueueUrl, MaxReceiveCount, _time, statusLogger: statusLogger);

    private Task<SqsBatchResponse> HandleAsync(CommandPublisherFunction function, JsonLogWriter? metrics, params SqsMessage[] records) =>
        function.HandleAsync(new SqsEvent { Records = [.. records] }, Invocations.Context(_time, output: metrics), CancellationToken.None);

    /// <summary>The status messages visible now, each read with the strict reader Ingest uses.</summary>
    private async Task<List<CommandStatusMessage>> VisibleStatusesAsync()
    {
        var statuses = new List<CommandStatusMessage>();
        foreach (var message in await CommandQueues.PeekAllAsync(_sqs, _queues.StatusQueueUrl))
        {
            Assert.True(CommandStatusMessage.TryRead(Encoding.UTF8.GetBytes(message.Body), out var status, out var error), error);
            statuses.Add(status);
        }

        return statuses;
    }

    private async Task<(int Visible, int Delayed)> StatusQueueDepthAsync()
    {
        var attributes = await _sqs.GetQueueAttributesAsync(_queues.StatusQueueUrl, ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesDelayed"]);
        return (attributes.ApproximateNumberOfMessages, attributes.ApproximateNumberOfMessagesDelayed);
    }

    [Fact]
    public async Task HandleAsync_PublishedExpiredRejectedMalformed_OneStatusPerFateAndAnAckDuePerPublishedCommand()
    {
        var expired = Command("lamp-2", ttlSeconds: 60);
        _time.Advance(TimeSpan.FromSeconds(61));
        var published = new[] { Command("lamp-1"), Command("lamp-2"), Command("lamp-3") };
        var refused = Command("lamp-4");
        // Attempts in batch order: lamp-1, lamp-2 (the expired one is never attempted), lamp-4 (refused), lamp-3.
        _iot.Script(200, 200, 403, 200);
        var records = new[]
        {
            TestCommands.Record(published[0]), TestCommands.Record(expired), TestCommands.Record(published[1]),
            TestCommands.Record(refused), TestCommands.Record(published[2]), TestCommands.Record("lights on please"),
        };
        using var stdout = new MemoryStream();

        var response = await HandleAsync(Function(), new JsonLogWriter(stdout), records);

        Assert.Empty(response.BatchItemFailures);
        // 3 published + 1 expired + 1 rejected visible; the 3 ackDue held back; the malformed command gets none.
        Assert.Equal((5, 3), await StatusQueueDepthAsync());
        var statuses = await VisibleStatusesAsync();
        var now = _time.GetUtcNow();
        Assert.Equal(
            published.Select(c => (CommandStatusKind.Published, c.CommandId, c.DeviceId)).Order(),
            statuses.Where(s => s.Kind == CommandStatusKind.Published).Select(s => (s.Kind, s.CommandId, s.DeviceId)).Order());
        Assert.All(statuses, s =>
        {
            // Every status carries the time of its own outcome and the command's acceptance, for the latency.
            Assert.Equal(now, s.At);
            Assert.Equal(Harness.Start.AddSeconds(s.CommandId == expired.CommandId ? 0 : 61), s.AcceptedAt);
        });
        Assert.All(statuses.Where(s => s.Kind == CommandStatusKind.Published), s => Assert.Null(s.Detail));
        var parked = await CommandQueues.PeekAllAsync(_sqs, _queues.DeadLetterQueueUrl);
        string ParkingReason(Command c) => parked.Single(m => m.Body.Contains(c.CommandId, StringComparison.Ordinal)).MessageAttributes["Queueing.Error"].StringValue;
        var expiredStatus = Assert.Single(statuses, s => s.Kind == CommandStatusKind.Expired);
        Assert.Equal((expired.CommandId, "lamp-2", ParkingReason(expired)), (expiredStatus.CommandId, expiredStatus.DeviceId, expiredStatus.Detail));
        var rejectedStatus = Assert.Single(statuses, s => s.Kind == CommandStatusKind.Rejected);
        Assert.Equal((refused.CommandId, "lamp-4", ParkingReason(refused)), (rejectedStatus.CommandId, rejectedStatus.DeviceId, rejectedStatus.Detail));
        Assert.StartsWith("IoT Data Publish answered 403 ", rejectedStatus.Detail, StringComparison.Ordinal);
        var emf = JsonDocument.Parse(Encoding.UTF8.GetString(stdout.ToArray())).RootElement;
        Assert.Equal(8, emf.GetProperty("CommandStatusSent").GetInt32());
        Assert.Equal(0, emf.GetProperty("CommandStatusNotSent").GetInt32());
    }

    [Fact]
    public async Task HandleAsync_PublishTakesTime_PublishedIsStampedWhenThePublishStarted()
    {
        // The device may acknowledge before IoT Data answers; published must not carry a later time than the ack.
        var command = Command("lamp-1");
        var started = _time.GetUtcNow();
        _iot.Rule = _ =>
        {
            _time.Advance(TimeSpan.FromMilliseconds(250));
            return 200;
        };

        await HandleAsync(Function(), null, TestCommands.Record(command));

        var published = Assert.Single(await VisibleStatusesAsync(), s => s.Kind == CommandStatusKind.Published);
        Assert.Equal(started, published.At);
        Assert.Equal(started.AddMilliseconds(250), _time.GetUtcNow());
    }

    [Fact]
    public async Task HandleAsync_CommandsWithTraces_EachStatusCarriesItsCommandsTraceAsAWSTraceHeader()
    {
        // moto's SendMessageBatch drops MessageSystemAttributes: what the publisher sent is read off the wire.
        var requests = new SqsRequestLog();
        using var logged = _moto.CreateSqs(requests);
        var traced = Command("lamp-1");
        var untraced = Command("lamp-2");
        var refused = Command("lamp-3");
        _iot.Script(200, 200, 403);
        const string commandTrace = "Root=1-6750a1b2-0123456789abcdef01234567;Parent=53995c3f42cd8ad8;Sampled=1";
        const string refusedTrace = "Root=1-6750a1b2-aaaaaaaaaaaaaaaaaaaaaaaa;Parent=1111111111111111;Sampled=1";
        const string invocationTrace = "Root=1-6750a1b2-ffffffffffffffffffffffff;Parent=2222222222222222;Sampled=1";
        var first = TestCommands.Record(traced);
        first.Attributes["AWSTraceHeader"] = commandTrace;
        var third = TestCommands.Record(refused);
        third.Attributes["AWSTraceHeader"] = refusedTrace;

        await Function(sqs: logged).HandleAsync(
            new SqsEvent { Records = [first, TestCommands.Record(untraced), third] },
            Invocations.Context(_time, traceId: invocationTrace),
            CancellationToken.None);

        var entries = requests.Of("SendMessageBatch").Where(r => (string?)r["QueueUrl"] == _queues.StatusQueueUrl)
            .SelectMany(r => r["Entries"]!.AsArray()).ToList();
        string? TraceOf(Command command, string kind) => (string?)entries.Single(e =>
            e!["MessageBody"]!.GetValue<string>().Contains(command.CommandId, StringComparison.Ordinal)
            && e["MessageBody"]!.GetValue<string>().Contains($"\"commandEvent\":\"{kind}\"", StringComparison.Ordinal))!
            ["MessageSystemAttributes"]?["AWSTraceHeader"]?["StringValue"];
        Assert.Equal(5, entries.Count);
        Assert.Equal(commandTrace, TraceOf(traced, "published"));
        Assert.Equal(commandTrace, TraceOf(traced, "ackDue"));
        // A record without its own trace: the invocation's, as for its IoT publish.
        Assert.Equal(invocationTrace, TraceOf(untraced, "published"));
        Assert.Equal(invocationTrace, TraceOf(untraced, "ackDue"));
        Assert.Equal(refusedTrace, TraceOf(refused, "rejected"));
    }

    [Fact]
    public async Task HandleAsync_IotPublishFailsOnTheLastReceive_ParkedAsExhaustedAndOneUndeliveredStatusWithItsTrace()
    {
        var requests = new SqsRequestLog();
        using var logged = _moto.CreateSqs(requests);
        var failing = Command("lamp-1");
        var behind = Command("lamp-1");
        var early = Command("lamp-2");
        _iot.Script(503);
        const string failingTrace = "Root=1-6750a1b2-0123456789abcdef01234567;Parent=53995c3f42cd8ad8;Sampled=1";
        const string invocationTrace = "Root=1-6750a1b2-ffffffffffffffffffffffff;Parent=2222222222222222;Sampled=1";
        var failingRecord = TestCommands.Record(failing, receiveCount: MaxReceiveCount);
        failingRecord.Attributes["AWSTraceHeader"] = failingTrace;
        // Behind the failure: never attempted; on its last receive too (parked, reported), or not (retried, silent).
        var behindRecord = TestCommands.Record(behind, receiveCount: MaxReceiveCount);
        var earlyRecord = TestCommands.Record(early, receiveCount: 1);

        var response = await Function(sqs: logged).HandleAsync(
            new SqsEvent { Records = [failingRecord, behindRecord, earlyRecord] },
            Invocations.Context(_time, traceId: invocationTrace),
            CancellationToken.None);

        Assert.Equal([earlyRecord.MessageId], response.BatchItemFailures.Select(f => f.ItemIdentifier));
        Assert.Single(_iot.Attempts);
        var parked = await CommandQueues.PeekAllAsync(_sqs, _queues.DeadLetterQueueUrl);
        Assert.Equal(2, parked.Count);
        Assert.All(parked, m => Assert.Equal("exhausted", m.MessageAttributes["Queueing.Kind"].StringValue));
        string ParkingReason(Command c) => parked.Single(m => m.Body.Contains(c.CommandId, StringComparison.Ordinal)).MessageAttributes["Queueing.Error"].StringValue;
        var statuses = await VisibleStatusesAsync();
        Assert.Equal(2, statuses.Count);
        Assert.All(statuses, s =>
        {
            Assert.Equal(CommandStatusKind.Undelivered, s.Kind);
            Assert.Equal("lamp-1", s.DeviceId);
            Assert.Equal(_time.GetUtcNow(), s.At);
        });
        var failed = Assert.Single(statuses, s => s.CommandId == failing.CommandId);
        Assert.Equal(ParkingReason(failing), failed.Detail);
        Assert.StartsWith("Receive 3 of 3: IoT Data Publish answered 503", failed.Detail, StringComparison.Ordinal);
        var notAttempted = Assert.Single(statuses, s => s.CommandId == behind.CommandId);
        Assert.Equal(ParkingReason(behind), notAttempted.Detail);
        Assert.Contains("Not attempted", notAttempted.Detail, StringComparison.Ordinal);
        var entries = requests.Of("SendMessageBatch").Where(r => (string?)r["QueueUrl"] == _queues.StatusQueueUrl)
            .SelectMany(r => r["Entries"]!.AsArray()).ToList();
        string? TraceOf(Command command) => (string?)entries.Single(e =>
            e!["MessageBody"]!.GetValue<string>().Contains(command.CommandId, StringComparison.Ordinal))!
            ["MessageSystemAttributes"]?["AWSTraceHeader"]?["StringValue"];
        Assert.Equal(2, entries.Count);
        Assert.Equal(failingTrace, TraceOf(failing));
        Assert.Equal(invocationTrace, TraceOf(behind));
    }

    [Fact]
    public async Task HandleAsync_Published_TheDeviceGetsTheCommandIdAndAcceptedAtAsUserProperties()
    {
        var command = Command("lamp-1");

        await HandleAsync(Function(), null, TestCommands.Record(command));

        var delivered = Assert.Single(_iot.Delivered);
        Assert.Equal(
            [new("commandId", command.CommandId), new("acceptedAt", "2025-11-28T00:00:00.000Z")],
            delivered.UserProperties);
    }

    [Fact]
    public async Task HandleAsync_Published_TheAckDueArrivesOnlyWhenTheCommandExpires()
    {
        // SQS holds the ackDue back for the command's remaining lifetime (2 s here): moto honours DelaySeconds.
        var command = Command("lamp-1", ttlSeconds: 2);

        await HandleAsync(Function(), null, TestCommands.Record(command));

        var early = await _sqs.ReceiveMessageAsync(new ReceiveMessageRequest(_queues.StatusQueueUrl) { MaxNumberOfMessages = 10 });
        var first = Assert.Single(early.Messages);
        Assert.Contains("\"commandEvent\":\"published\"", first.Body, StringComparison.Ordinal);
        await _sqs.DeleteMessageAsync(_queues.StatusQueueUrl, first.ReceiptHandle);
        Assert.Equal((0, 1), await StatusQueueDepthAsync());

        var due = await ReceiveWithinAsync(TimeSpan.FromSeconds(10));
        Assert.True(CommandStatusMessage.TryRead(Encoding.UTF8.GetBytes(due.Body), out var ackDue, out var error), error);
        Assert.Equal(CommandStatusKind.AckDue, ackDue.Kind);
        Assert.Equal(command.ExpiresAt, ackDue.At);
        Assert.Equal(command.CommandId, ackDue.CommandId);
    }

    private async Task<Message> ReceiveWithinAsync(TimeSpan patience)
    {
        var until = DateTime.UtcNow + patience;
        while (DateTime.UtcNow < until)
        {
            var received = await _sqs.ReceiveMessageAsync(new ReceiveMessageRequest(_queues.StatusQueueUrl) { MaxNumberOfMessages = 10, WaitTimeSeconds = 1 });
            if (received.Messages is { Count: > 0 } messages)
            {
                return Assert.Single(messages);
            }
        }

        throw new TimeoutException($"No status message within {patience}.");
    }

    [Theory]
    [InlineData(1, 1, 1)]
    [InlineData(10.2, 11, 10.2)] // rounded up: never before the expiry
    [InlineData(900, 900, 900)]
    [InlineData(3600, 900, 900)] // SQS's maximum: due (and reported as due) after 900 s
    [InlineData(0, 0, 0)]
    [InlineData(-5, 0, -5)] // published just after expiring: due at once
    public void AckDue_RemainingLifetime_DelayRoundedUpAndClampedToSqsMaximum(double remainingSeconds, int expectedDelay, double expectedDueSeconds)
    {
        var (delay, dueAt) = CommandStatusSender.AckDue(Harness.Start, Harness.Start.AddSeconds(remainingSeconds));

        Assert.Equal(expectedDelay, delay);
        Assert.Equal(Harness.Start.AddSeconds(expectedDueSeconds), dueAt);
    }

    [Fact]
    public async Task HandleAsync_StatusQueueMissing_CommandStillPublishedOnceAndTheLossLoggedAndCounted()
    {
        var command = Command("lamp-1");
        using var stdout = new MemoryStream();
        using var logs = new MemoryStream();
        var logger = new JsonLoggerFactory(new JsonLogWriter(logs), LogLevel.Information, _time).CreateLogger("Queueing.Actuate.CommandStatus");
        var missing = _queues.StatusQueueUrl + "-gone";

        var response = await HandleAsync(Function(statusQueueUrl: missing, statusLogger: logger), new JsonLogWriter(stdout), TestCommands.Record(command));

        // Not a batch item failure: retrying the command for its status would publish it twice.
        Assert.Empty(response.BatchItemFailures);
        Assert.Single(_iot.Delivered);
        var emf = JsonDocument.Parse(Encoding.UTF8.GetString(stdout.ToArray())).RootElement;
        Assert.Equal(2, emf.GetProperty("CommandStatusNotSent").GetInt32());
        Assert.Equal(0, emf.GetProperty("CommandStatusSent").GetInt32());
        var errors = Encoding.UTF8.GetString(logs.ToArray()).Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => JsonDocument.Parse(line).RootElement)
            .Where(line => line.GetProperty("level").GetString() == "ERROR")
            .ToList();
        Assert.Equal(["ackDue", "published"], errors.Select(e => e.GetProperty("status").GetString()).Order());
        Assert.All(errors, e => Assert.Equal(command.CommandId, e.GetProperty("commandId").GetString()));
    }

    [Fact]
    public async Task HandleAsync_AnEntryRefusedOnce_IsSentAgainAndArrivesOnce()
    {
        var flaky = new EntryRefusingSqs(_moto, _queues.StatusQueueUrl, refusals: 1);
        var commands = new[] { Command("lamp-1"), Command("lamp-2") };
        using var stdout = new MemoryStream();

        var response = await HandleAsync(Function(flaky), new JsonLogWriter(stdout), [.. commands.Select(c => TestCommands.Record(c))]);

        Assert.Empty(response.BatchItemFailures);
        Assert.Equal(2, flaky.Calls);
        Assert.Equal((2, 2), await StatusQueueDepthAsync());
        Assert.Equal(commands.Select(c => c.CommandId).Order(), (await VisibleStatusesAsync()).Select(s => s.CommandId).Order());
        var emf = JsonDocument.Parse(Encoding.UTF8.GetString(stdout.ToArray())).RootElement;
        Assert.Equal(4, emf.GetProperty("CommandStatusSent").GetInt32());
        Assert.Equal(0, emf.GetProperty("CommandStatusNotSent").GetInt32());
    }

    [Fact]
    public async Task HandleAsync_AnEntryRefusedTwice_IsCountedAsNotSentAndTheOthersArrive()
    {
        var flaky = new EntryRefusingSqs(_moto, _queues.StatusQueueUrl, refusals: 2);
        using var stdout = new MemoryStream();

        var response = await HandleAsync(Function(flaky), new JsonLogWriter(stdout), TestCommands.Record(Command("lamp-1")));

        Assert.Empty(response.BatchItemFailures);
        Assert.Equal(2, flaky.Calls);
        // The first entry (published) was refused on both attempts; the ackDue went through on the first.
        Assert.Equal((0, 1), await StatusQueueDepthAsync());
        var emf = JsonDocument.Parse(Encoding.UTF8.GetString(stdout.ToArray())).RootElement;
        Assert.Equal(1, emf.GetProperty("CommandStatusSent").GetInt32());
        Assert.Equal(1, emf.GetProperty("CommandStatusNotSent").GetInt32());
    }

    [Fact]
    public async Task HandleAsync_StatusSendThrowsAnUnexpectedException_CommandStillPublishedOnceAndTheLossCounted()
    {
        // What the SDK throws from its endpoint resolution when AWS_ENDPOINT_URL_SQS is set but empty: not a service,
        // client or network error, and the sender's contract is to never throw whatever stopped the call.
        var broken = new ThrowingStatusSqs(_moto, _queues.StatusQueueUrl, new ArgumentNullException("ServiceURL"));
        var command = Command("lamp-1");
        using var stdout = new MemoryStream();

        var response = await HandleAsync(Function(broken), new JsonLogWriter(stdout), TestCommands.Record(command));

        Assert.Empty(response.BatchItemFailures);
        Assert.Single(_iot.Delivered);
        Assert.Equal(2, broken.Calls);
        var emf = JsonDocument.Parse(Encoding.UTF8.GetString(stdout.ToArray())).RootElement;
        Assert.Equal(2, emf.GetProperty("CommandStatusNotSent").GetInt32());
        Assert.Equal(0, emf.GetProperty("CommandStatusSent").GetInt32());
    }

    /// <summary>Real moto, except that every SendMessageBatch to the status queue throws <paramref name="failure"/>.</summary>
    private sealed class ThrowingStatusSqs(MotoServer moto, string statusQueueUrl, Exception failure)
        : AmazonSQSClient(moto.Credentials, new AmazonSQSConfig { ServiceURL = moto.Endpoint.ToString(), AuthenticationRegion = MotoServer.Region })
    {
        public int Calls { get; private set; }

        public override Task<SendMessageBatchResponse> SendMessageBatchAsync(SendMessageBatchRequest request, CancellationToken cancellationToken = default)
        {
            if (request.QueueUrl != statusQueueUrl)
            {
                return base.SendMessageBatchAsync(request, cancellationToken);
            }

            Calls++;
            throw failure;
        }
    }

    /// <summary>
    /// Real moto, except that for the status queue the first entry of each of the first <c>refusals</c> calls is
    /// answered as failed (as SQS does for one bad entry) instead of being sent. Other queues pass straight through.
    /// </summary>
    private sealed class EntryRefusingSqs(MotoServer moto, string statusQueueUrl, int refusals)
        : AmazonSQSClient(moto.Credentials, new AmazonSQSConfig { ServiceURL = moto.Endpoint.ToString(), AuthenticationRegion = MotoServer.Region })
    {
        public int Calls { get; private set; }

        public override async Task<SendMessageBatchResponse> SendMessageBatchAsync(SendMessageBatchRequest request, CancellationToken cancellationToken = default)
        {
            if (request.QueueUrl != statusQueueUrl)
            {
                return await base.SendMessageBatchAsync(request, cancellationToken);
            }

            Calls++;
            if (Calls > refusals)
            {
                return await base.SendMessageBatchAsync(request, cancellationToken);
            }

            var refused = request.Entries[0];
            var rest = request.Entries.Skip(1).ToList();
            var response = rest.Count == 0
                ? new SendMessageBatchResponse { Successful = [], Failed = [] }
                : await base.SendMessageBatchAsync(new SendMessageBatchRequest { QueueUrl = request.QueueUrl, Entries = rest }, cancellationToken);
            response.Failed ??= [];
            response.Failed.Add(new BatchResultErrorEntry { Id = refused.Id, Code = "InternalError", Message = "refused by the test", SenderFault = false });
            return response;
        }
    }
}
