using System.Text;
using System.Text.Json;
using Amazon.SQS;
using Amazon.SQS.Model;
using Microsoft.Extensions.Time.Testing;
using Queueing.Actuate.Commands;
using Queueing.Actuate.Publisher;
using Queueing.Actuate.Tests.Support;
using Queueing.Contracts.Events;
using Queueing.Contracts.Time;
using Queueing.Shared.Logging;
using Queueing.Testing;

namespace Queueing.Actuate.Tests.Publisher;

/// <summary>The publisher on hand-built batches, parking into a real FIFO DLQ in moto, publishing to the stand-in.</summary>
public sealed class CommandPublisherFunctionTests : IClassFixture<MotoServer>, IAsyncLifetime
{
    private const int MaxReceiveCount = 3;
    private readonly AmazonSQSClient _sqs;
    private readonly FakeTimeProvider _time = Harness.Clock();
    private FakeIotData _iot = null!;
    private CommandQueues _queues = null!;
    private string _dlqUrl = null!;

    public CommandPublisherFunctionTests(MotoServer moto) => _sqs = moto.CreateSqs();

    public async Task InitializeAsync()
    {
        _iot = await FakeIotData.StartAsync();
        _queues = await CommandQueues.CreateAsync(_sqs, MaxReceiveCount);
        _dlqUrl = _queues.DeadLetterQueueUrl;
    }

    public async Task DisposeAsync() => await _iot.DisposeAsync();

    private CommandPublisherFunction Function(IAmazonSQS? sqs = null) =>
        Harness.PublisherFunction(Harness.Publisher(_iot.Endpoint, _time), sqs ?? _sqs, _dlqUrl, _queues.StatusQueueUrl, MaxReceiveCount, _time);

    private Task<SqsBatchResponse> HandleAsync(params SqsMessage[] records) => HandleAsync(Function(), records);

    private Task<SqsBatchResponse> HandleAsync(CommandPublisherFunction function, params SqsMessage[] records) =>
        HandleAsync(function, null, records);

    private Task<SqsBatchResponse> HandleAsync(CommandPublisherFunction function, JsonLogWriter? output, params SqsMessage[] records) =>
        function.HandleAsync(new SqsEvent { Records = [.. records] }, Invocations.Context(_time, output: output), CancellationToken.None);

    private Command Command(string deviceId, string payload = "1", int ttlSeconds = 300) => TestCommands.For(deviceId, payload, _time.GetUtcNow(), ttlSeconds);

    private static IReadOnlyList<string> Failures(SqsBatchResponse response) => response.BatchItemFailures.Select(f => f.ItemIdentifier).ToList();

    private async Task<Message> ParkedAsync(string kind)
    {
        var message = Assert.Single(await CommandQueues.PeekAllAsync(_sqs, _dlqUrl));
        Assert.Equal(kind, message.MessageAttributes["Queueing.Kind"].StringValue);
        return message;
    }

    [Fact]
    public async Task HandleAsync_AllPublishable_PublishedInBatchOrderWithNoFailures()
    {
        var commands = new[] { Command("lamp-1", "\"a\""), Command("lamp-2", "\"b\""), Command("lamp-1", "\"c\"") };

        var response = await HandleAsync(commands.Select(c => TestCommands.Record(c)).ToArray());

        Assert.Empty(response.BatchItemFailures);
        Assert.Equal(commands.Select(c => c.CommandId), _iot.Delivered.Select(p => p.CommandId));
        Assert.Equal(0, await CommandQueues.CountAsync(_sqs, _dlqUrl));
    }

    [Theory]
    [InlineData(500)]
    [InlineData(503)]
    [InlineData(429)]
    public async Task HandleAsync_TransientFailureMidBatch_ThatRecordAndEveryLaterOneAreFailures(int status)
    {
        var records = Enumerable.Range(0, 5).Select(i => TestCommands.Record(Command(i % 2 == 0 ? "lamp-1" : "lamp-2"))).ToArray();
        _iot.Script(200, status);

        var response = await HandleAsync(records);

        Assert.Equal(records.Skip(1).Select(r => r.MessageId), Failures(response));
        Assert.Single(_iot.Delivered);
        Assert.Equal(2, _iot.Attempts.Count);
    }

    [Fact]
    public async Task HandleAsync_UnexpectedExceptionMidBatch_StopsLikeATransientFailureInsteadOfFailingTheInvocation()
    {
        // An exception no branch expects (here from the HTTP pipeline, as a handler or a credential source might throw)
        // must not fail the invocation: Lambda would then retry the whole batch and publish the first command again.
        var records = Enumerable.Range(0, 3).Select(i => TestCommands.Record(Command("lamp-" + i))).ToArray();
        var transport = new ThrowingOnRequest(2, new InvalidOperationException("the pipeline broke"));
        var publisher = new IotDataPublisher(_iot.Endpoint, new Amazon.Runtime.BasicAWSCredentials(MotoServer.AccessKey, MotoServer.SecretKey), Amazon.RegionEndpoint.USEast1, TimeSpan.FromSeconds(5), _time, transport);
        var function = Harness.PublisherFunction(publisher, _sqs, _dlqUrl, _queues.StatusQueueUrl, MaxReceiveCount, _time);

        var response = await HandleAsync(function, records);

        Assert.Equal(records.Skip(1).Select(r => r.MessageId), Failures(response));
        Assert.Single(_iot.Delivered);
        Assert.Equal(2, transport.Requests);
    }

    /// <summary>A real socket handler, except that request number <c>failAt</c> throws <c>failure</c> instead of being sent.</summary>
    private sealed class ThrowingOnRequest(int failAt, Exception failure) : DelegatingHandler(new SocketsHttpHandler())
    {
        public int Requests { get; private set; }

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
            ++Requests == failAt ? throw failure : base.SendAsync(request, cancellationToken);
    }

    [Fact]
    public async Task HandleAsync_ExpiredCommand_ParkedAsExpiredAndNeverPublished()
    {
        var expired = Command("lamp-1", "{\"lightStatus\":\"off\"}", ttlSeconds: 60);
        var fresh = Command("lamp-1", "{\"lightStatus\":\"on\"}", ttlSeconds: 600);
        _time.Advance(TimeSpan.FromSeconds(61));
        var expiredRecord = TestCommands.Record(expired);

        var response = await HandleAsync(expiredRecord, TestCommands.Record(fresh));

        Assert.Empty(response.BatchItemFailures);
        Assert.Equal([fresh.CommandId], _iot.Attempts.Select(a => a.CommandId));
        var parked = await ParkedAsync("expired");
        Assert.Equal(expiredRecord.Body, parked.Body);
        Assert.Equal(expired.CommandId, parked.MessageAttributes["Queueing.CommandId"].StringValue);
        Assert.Contains($"expired at {IsoTime.Format(expired.ExpiresAt)}, 1 s before", parked.MessageAttributes["Queueing.Error"].StringValue);
        Assert.Equal("lamp-1", parked.Attributes["MessageGroupId"]);
    }

    [Fact]
    public async Task HandleAsync_PublishedAndExpired_CountedInTheInvocationsEmfLine()
    {
        using var stdout = new MemoryStream();
        var function = Harness.PublisherFunction(Harness.Publisher(_iot.Endpoint, _time), _sqs, _dlqUrl, _queues.StatusQueueUrl, MaxReceiveCount, _time);
        var expired = Command("lamp-1", ttlSeconds: 60);
        _time.Advance(TimeSpan.FromSeconds(61));

        await HandleAsync(function, new JsonLogWriter(stdout), TestCommands.Record(expired), TestCommands.Record(Command("lamp-1")));

        var emf = JsonDocument.Parse(Encoding.UTF8.GetString(stdout.ToArray())).RootElement;
        Assert.Equal("test-function", emf.GetProperty("FunctionName").GetString());
        Assert.Equal(1, emf.GetProperty("CommandsPublished").GetInt32());
        Assert.Equal(1, emf.GetProperty("CommandsParked.expired").GetInt32());
        Assert.Equal(0, emf.GetProperty("CommandsRetried").GetInt32());
    }

    [Fact]
    public async Task HandleAsync_ExactlyAtExpiry_Expired()
    {
        var command = Command("lamp-1", ttlSeconds: 60);
        _time.Advance(TimeSpan.FromSeconds(60));

        await HandleAsync(TestCommands.Record(command));

        Assert.Empty(_iot.Attempts);
        await ParkedAsync("expired");
    }

    [Theory]
    [InlineData(400)]
    [InlineData(403)]
    [InlineData(413)]
    public async Task HandleAsync_PermanentRefusal_ParkedAsRejectedAndTheBatchGoesOn(int status)
    {
        var refused = TestCommands.Record(Command("lamp-1"));
        var next = Command("lamp-1");
        _iot.Script(status);

        var response = await HandleAsync(refused, TestCommands.Record(next));

        Assert.Empty(response.BatchItemFailures);
        Assert.Equal([next.CommandId], _iot.Delivered.Select(d => d.CommandId));
        var parked = await ParkedAsync("rejected");
        Assert.StartsWith($"IoT Data Publish answered {status} ", parked.MessageAttributes["Queueing.Error"].StringValue);
    }

    [Theory]
    [InlineData("lights on please")]
    [InlineData("{\"deviceId\":\"lamp-1\"}")]
    [InlineData("{\"commandId\":\"c\",\"deviceId\":\"lamp-1\",\"topic\":7,\"qos\":1,\"payload\":1,\"acceptedAt\":\"2025-11-28T00:00:00Z\",\"expiresAt\":\"2099-01-01T00:00:00Z\"}")]
    public async Task HandleAsync_MalformedBody_ParkedAsMalformedAndNotPublished(string body)
    {
        var response = await HandleAsync(TestCommands.Record(body));

        Assert.Empty(response.BatchItemFailures);
        Assert.Empty(_iot.Attempts);
        Assert.Equal(body, (await ParkedAsync("malformed")).Body);
    }

    /// <summary>A queue message as someone would write it by hand: for lamp-1, but naming another device's topic.</summary>
    private static string HandWritten(string deviceId, string? topic) =>
        $$"""{"commandId":"c-{{deviceId}}","deviceId":"{{deviceId}}",{{(topic is null ? "" : $"\"topic\":\"{topic}\",")}}"qos":1,"payload":{"lightStatus":"on"},"acceptedAt":"2025-11-28T00:00:00Z","expiresAt":"2099-01-01T00:00:00Z"}""";

    [Fact]
    public async Task HandleAsync_HandWrittenTopicOfAnotherDevice_ParkedAsRejectedNamingBothTopicsAndPublishedNowhere()
    {
        var body = HandWritten("lamp-1", "devices/lamp-2/commands");

        var response = await HandleAsync(TestCommands.Record(body, "lamp-1"));

        Assert.Empty(response.BatchItemFailures);
        Assert.Empty(_iot.Attempts);
        Assert.Equal(1, await CommandQueues.CountAsync(_sqs, _dlqUrl));
        var parked = await ParkedAsync("rejected");
        Assert.Equal(body, parked.Body);
        Assert.Equal(
            "The message's topic 'devices/lamp-2/commands' is not the topic derived for device lamp-1 from COMMAND_TOPIC_TEMPLATE 'devices/{deviceId}/commands', which is 'devices/lamp-1/commands'; it was not published.",
            parked.MessageAttributes["Queueing.Error"].StringValue);
    }

    [Fact]
    public async Task HandleAsync_TopicMismatch_CountedInTheInvocationsEmfLine()
    {
        using var stdout = new MemoryStream();
        var function = Harness.PublisherFunction(Harness.Publisher(_iot.Endpoint, _time), _sqs, _dlqUrl, _queues.StatusQueueUrl, MaxReceiveCount, _time);

        await HandleAsync(function, new JsonLogWriter(stdout), TestCommands.Record(HandWritten("lamp-1", "devices/lamp-2/commands")), TestCommands.Record(Command("lamp-1")));

        var emf = JsonDocument.Parse(Encoding.UTF8.GetString(stdout.ToArray())).RootElement;
        Assert.Equal(1, emf.GetProperty("CommandsTopicMismatch").GetInt32());
        Assert.Equal(1, emf.GetProperty("CommandsParked.rejected").GetInt32());
        Assert.Equal(1, emf.GetProperty("CommandsPublished").GetInt32());
    }

    [Fact]
    public async Task HandleAsync_TopicAgreesWithTheDevice_PublishedOnTheDerivedTopic()
    {
        var response = await HandleAsync(TestCommands.Record(HandWritten("lamp-1", "devices/lamp-1/commands")));

        Assert.Empty(response.BatchItemFailures);
        var delivered = Assert.Single(_iot.Delivered);
        Assert.Equal(("devices/lamp-1/commands", "c-lamp-1"), (delivered.Topic, delivered.CommandId));
        Assert.Equal(0, await CommandQueues.CountAsync(_sqs, _dlqUrl));
    }

    [Fact]
    public async Task HandleAsync_NoTopicField_PublishedOnTheTopicTheTemplateDerives()
    {
        CommandTopicTemplate.TryCreate("site/ghent/{deviceId}/in", out var topics, out _);
        var function = Harness.PublisherFunction(Harness.Publisher(_iot.Endpoint, _time), _sqs, _dlqUrl, _queues.StatusQueueUrl, MaxReceiveCount, _time, topics: topics);

        var response = await HandleAsync(function, TestCommands.Record(HandWritten("lamp-1", topic: null)));

        Assert.Empty(response.BatchItemFailures);
        Assert.Equal("site/ghent/lamp-1/in", Assert.Single(_iot.Delivered).Topic);
        Assert.Equal(0, await CommandQueues.CountAsync(_sqs, _dlqUrl));
    }

    [Fact]
    public async Task HandleAsync_ForgedTopicSentToTheQueueAsARedriveDoes_ParkedAsRejectedAndNeverPublished()
    {
        // What 'queueing-dlq import' or 'redrive' puts on CommandQueue.fifo: a body from a file, the old reason's
        // attributes and a redrive count, group = device.
        var body = HandWritten("lamp-1", "devices/lamp-2/commands");
        await _sqs.SendMessageAsync(new SendMessageRequest
        {
            QueueUrl = _queues.QueueUrl,
            MessageBody = body,
            MessageGroupId = "lamp-1",
            MessageDeduplicationId = "redrive-" + Guid.NewGuid().ToString("N"),
            MessageAttributes = new Dictionary<string, MessageAttributeValue>
            {
                ["Queueing.Kind"] = new() { DataType = "String", StringValue = "expired" },
                ["Queueing.SourceQueue"] = new() { DataType = "String", StringValue = _queues.QueueArn },
                ["Queueing.RedriveCount"] = new() { DataType = "Number", StringValue = "1" },
            },
        });

        await Harness.EventSource(_sqs, _queues, Function(), _time).DrainAsync();

        Assert.Empty(_iot.Attempts);
        Assert.Equal(0, await CommandQueues.CountAsync(_sqs, _queues.QueueUrl));
        var parked = await ParkedAsync("rejected");
        Assert.Equal(body, parked.Body);
        Assert.Contains("'devices/lamp-2/commands'", parked.MessageAttributes["Queueing.Error"].StringValue);
        Assert.Equal("1", parked.MessageAttributes["Queueing.RedriveCount"].StringValue);
    }

    [Fact]
    public async Task HandleAsync_TransientFailureOnTheLastAllowedReceive_ParkedAsExhausted()
    {
        var record = TestCommands.Record(Command("lamp-1"), receiveCount: MaxReceiveCount);
        _iot.Script(500);

        var response = await HandleAsync(record);

        Assert.Empty(response.BatchItemFailures);
        var error = (await ParkedAsync("exhausted")).MessageAttributes["Queueing.Error"].StringValue;
        Assert.StartsWith("Receive 3 of 3: IoT Data Publish answered 500", error);
    }

    [Fact]
    public async Task HandleAsync_LaterRecordOnItsLastReceive_ParkedAsExhaustedNotAttempted()
    {
        var first = TestCommands.Record(Command("lamp-1"), receiveCount: 1);
        var last = TestCommands.Record(Command("lamp-1"), receiveCount: MaxReceiveCount);
        _iot.Script(429);

        var response = await HandleAsync(first, last);

        Assert.Equal([first.MessageId], Failures(response));
        Assert.Single(_iot.Attempts);
        Assert.Contains("Not attempted", (await ParkedAsync("exhausted")).MessageAttributes["Queueing.Error"].StringValue);
    }

    [Fact]
    public async Task HandleAsync_DeadLetterQueueUnreachable_RecordsToParkStayFailures()
    {
        var expired = Command("lamp-1", ttlSeconds: 1);
        _time.Advance(TimeSpan.FromSeconds(2));
        var expiredRecord = TestCommands.Record(expired);
        var fresh = TestCommands.Record(Command("lamp-2"));

        var response = await HandleAsync(Function(Harness.Unreachable()), expiredRecord, fresh);

        Assert.Equal([expiredRecord.MessageId], Failures(response));
        Assert.Single(_iot.Delivered);
    }

    [Fact]
    public async Task HandleAsync_TooLittleTimeLeft_NothingPublishedEverythingRetried()
    {
        var records = new[] { TestCommands.Record(Command("lamp-1")), TestCommands.Record(Command("lamp-2")) };

        var response = await Function().HandleAsync(new SqsEvent { Records = [.. records] }, Invocations.Context(_time, TimeSpan.FromSeconds(1)), CancellationToken.None);

        Assert.Equal(records.Select(r => r.MessageId), Failures(response));
        Assert.Empty(_iot.Attempts);
    }

    [Fact]
    public async Task InvokeAsync_SqsEventJson_AnswersTheBatchResponseJson()
    {
        var record = TestCommands.Record(Command("lamp-1"));
        _iot.Script(500);
        var json = System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(new SqsEvent { Records = [record] }, Queueing.Contracts.Json.SharedJsonContext.Default.SqsEvent);

        var answer = await Function().InvokeAsync(json, Invocations.Context(_time), CancellationToken.None);

        Assert.Equal($$"""{"batchItemFailures":[{"itemIdentifier":"{{record.MessageId}}"}]}""", System.Text.Encoding.UTF8.GetString(answer));
    }
}
