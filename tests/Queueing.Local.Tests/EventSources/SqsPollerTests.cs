using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Amazon.SQS;
using Amazon.SQS.Model;
using Queueing.Contracts.Events;
using Queueing.Emulators.Template;
using Queueing.Local.EventSources;
using Queueing.Local.Events;
using Queueing.Testing;

namespace Queueing.Local.Tests.EventSources;

public sealed class SqsPollerTests(MotoServer moto) : IClassFixture<MotoServer>
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task AllSucceed_EveryMessageDeleted_AndTheEventIsTheOneLambdaBuilds()
    {
        using var sqs = moto.CreateSqs();
        var queue = await CreateQueueAsync(sqs, "ingest");
        await SendAsync(sqs, queue, 15, i => new SendMessageRequest
        {
            MessageBody = $"{{\"n\":{i}}}",
            MessageAttributes = i % 2 == 0
                ? new()
                {
                    ["Text"] = new MessageAttributeValue { DataType = "String", StringValue = "café " + i },
                    ["Count"] = new MessageAttributeValue { DataType = "Number", StringValue = i.ToString(CultureInfo.InvariantCulture) },
                    ["Blob"] = new MessageAttributeValue { DataType = "Binary", BinaryValue = new MemoryStream([0, 1, (byte)i, 255]) },
                }
                : null,
        });
        var function = new RecordingFunction(_ => RecordingFunction.Response("""{"batchItemFailures":[]}"""));
        await using var poller = Poller(sqs, queue, Source(queue, batchSize: 10, reportBatchItemFailures: true), function);

        await poller.StartAsync(CancellationToken.None);
        await WaitUntilAsync(() => poller.Counters.Deleted >= 15, () => poller.Counters.ToString());
        await poller.StopAsync(CancellationToken.None);

        Assert.Equal(0, await CountAsync(sqs, queue));
        Assert.Equal(new SqsPollerCounters { Received = 15, Invocations = function.Events.Count, Deleted = 15 }, poller.Counters);
        var records = function.Events.SelectMany(e => e.Event.Records).ToList();
        Assert.Equal(Enumerable.Range(0, 15).Select(i => $"{{\"n\":{i}}}").Order(), records.Select(r => r.Body).Order());
        Assert.Equal(15, records.Select(r => r.MessageId).Distinct().Count());
        foreach (var record in records)
        {
            Assert.Equal(("aws:sqs", queue.Arn, "us-east-1"), (record.EventSource, record.EventSourceArn, record.AwsRegion));
            Assert.False(string.IsNullOrEmpty(record.ReceiptHandle));
            Assert.Equal(Convert.ToHexStringLower(MD5.HashData(Encoding.UTF8.GetBytes(record.Body))), record.Md5OfBody);
            Assert.Equal(1, record.ReceiveCount);
            Assert.NotNull(record.SentTime);
            Assert.NotNull(record.FirstReceiveTime);
            Assert.True(record.Attributes.ContainsKey(SqsAttributeNames.SenderId));
            Assert.Null(record.MessageGroupId);
        }

        var withAttributes = records.Single(r => r.Body == "{\"n\":4}");
        Assert.Equal("café 4", withAttributes.MessageAttributes["Text"].StringValue);
        Assert.Equal(("Number", "4"), (withAttributes.MessageAttributes["Count"].DataType, withAttributes.MessageAttributes["Count"].StringValue));
        Assert.Equal(new byte[] { 0, 1, 4, 255 }, withAttributes.MessageAttributes["Blob"].BinaryValue);
        Assert.Equal(SqsMessageAttributesMd5.Compute(withAttributes.MessageAttributes), withAttributes.Md5OfMessageAttributes);
        Assert.Empty(records.Single(r => r.Body == "{\"n\":3}").MessageAttributes);

        // Lambda's wire shape: the list members of each message attribute as empty arrays.
        var json = JsonNode.Parse(function.Events.Single(e => e.Bodies.Contains("{\"n\":4}")).Json)!;
        var text = json["Records"]!.AsArray().Single(r => r!["body"]!.ToString() == "{\"n\":4}")!["messageAttributes"]!["Text"]!;
        Assert.Empty(text["stringListValues"]!.AsArray());
        Assert.Empty(text["binaryListValues"]!.AsArray());
    }

    [Fact]
    public async Task TracedMessage_ItsRecordCarriesAWSTraceHeader_AndTheInvocationJoinsThatTrace()
    {
        const string Trace = "Root=1-692f8c00-0123456789abcdef01234567;Parent=89abcdef01234567;Sampled=1";
        using var sqs = moto.CreateSqs();
        var queue = await CreateQueueAsync(sqs, "traced");
        await SendAsync(sqs, queue, 2, i => new SendMessageRequest
        {
            MessageBody = "m-" + i,
            MessageSystemAttributes = i == 0
                ? new() { [SqsAttributeNames.AwsTraceHeader] = new MessageSystemAttributeValue { DataType = "String", StringValue = Trace } }
                : null,
        });
        var passed = new System.Collections.Concurrent.ConcurrentDictionary<string, string?>();
        var function = new RecordingFunction(e =>
        {
            passed[e.Records[0].Body] = Queueing.Emulators.Lambda.InvocationTrace.Current;
            return RecordingFunction.Response("""{"batchItemFailures":[]}""");
        });
        await using var poller = Poller(sqs, queue, Source(queue, batchSize: 1, reportBatchItemFailures: true), function);

        await poller.StartAsync(CancellationToken.None);
        await WaitUntilAsync(() => poller.Counters.Deleted >= 2, () => poller.Counters.ToString());
        await poller.StopAsync(CancellationToken.None);

        var records = function.Events.SelectMany(e => e.Event.Records).ToDictionary(r => r.Body);
        Assert.Equal(Trace, records["m-0"].Attributes[SqsAttributeNames.AwsTraceHeader]);
        Assert.False(records["m-1"].Attributes.ContainsKey(SqsAttributeNames.AwsTraceHeader));
        Assert.Equal(Trace, passed["m-0"]);
        Assert.Null(passed["m-1"]);
        Assert.Null(Queueing.Emulators.Lambda.InvocationTrace.Current);
    }

    [Fact]
    public async Task PartialBatchFailure_ExactlyTheReportedMessagesStay_TheOthersAreDeleted()
    {
        using var sqs = moto.CreateSqs();
        var queue = await CreateQueueAsync(sqs, "partial", new() { ["VisibilityTimeout"] = "2" });
        await SendAsync(sqs, queue, 10, i => new SendMessageRequest { MessageBody = "m-" + i });
        string[] failing = ["m-3", "m-7"];
        var function = new RecordingFunction(e => RecordingFunction.Failures(e.Records.Where(r => failing.Contains(r.Body)).Select(r => r.MessageId)));
        await using var poller = Poller(sqs, queue, Source(queue, batchSize: 10, reportBatchItemFailures: true), function);

        await poller.StartAsync(CancellationToken.None);
        await WaitUntilAsync(() => poller.Counters is { Deleted: 8, Failed: >= 2 });
        await poller.StopAsync(CancellationToken.None);

        Assert.Equal(0, poller.Counters.DeleteFailures);
        Assert.Equal(2, await CountAsync(sqs, queue));
        Assert.Equal(failing, (await ReceiveAllAsync(sqs, queue, 2)).Order());
    }

    [Theory]
    [InlineData("""{"batchItemFailures":[{"itemIdentifier":"not-a-message-of-the-batch"}]}""")]
    [InlineData("this is not JSON")]
    [InlineData("""{"batchItemFailures":[{"id":"wrong key name"}]}""")]
    [InlineData("""{"batchItemFailures":[{"itemIdentifier":""}]}""")]
    [InlineData("""[]""")]
    public async Task MalformedBatchResponse_TheWholeBatchFails_NothingIsDeleted(string response)
    {
        using var sqs = moto.CreateSqs();
        var queue = await CreateQueueAsync(sqs, "malformed");
        await SendAsync(sqs, queue, 5, i => new SendMessageRequest { MessageBody = "m-" + i });
        var function = new RecordingFunction(_ => RecordingFunction.Response(response));
        await using var poller = Poller(sqs, queue, Source(queue, batchSize: 10, reportBatchItemFailures: true), function);

        await poller.StartAsync(CancellationToken.None);
        await WaitUntilAsync(() => poller.Counters.Received == 5);
        await poller.StopAsync(CancellationToken.None);

        var counters = poller.Counters;
        Assert.Equal(0, counters.Deleted);
        Assert.Equal(counters.Invocations, counters.MalformedResponses);
        Assert.Equal(counters.Invocations, counters.FunctionErrors);
        Assert.Equal(5, await CountAsync(sqs, queue));
    }

    [Theory]
    [InlineData("""{"batchItemFailures":[]}""")]
    [InlineData("""{"batchItemFailures":null}""")]
    [InlineData("{}")]
    [InlineData("null")]
    [InlineData("")]
    public async Task EmptyOrNullBatchResponse_IsSuccess_EveryMessageDeleted(string response)
    {
        using var sqs = moto.CreateSqs();
        var queue = await CreateQueueAsync(sqs, "success");
        await SendAsync(sqs, queue, 5, i => new SendMessageRequest { MessageBody = "m-" + i });
        var function = new RecordingFunction(_ => RecordingFunction.Response(response));
        await using var poller = Poller(sqs, queue, Source(queue, batchSize: 10, reportBatchItemFailures: true), function);

        await poller.StartAsync(CancellationToken.None);
        await WaitUntilAsync(() => poller.Counters.Deleted >= 5, () => poller.Counters.ToString());
        await poller.StopAsync(CancellationToken.None);

        Assert.Equal((0, 0L), (await CountAsync(sqs, queue), poller.Counters.FunctionErrors));
    }

    [Fact]
    public async Task WithoutReportBatchItemFailures_AResponseNamingFailures_StillDeletesAll()
    {
        using var sqs = moto.CreateSqs();
        var queue = await CreateQueueAsync(sqs, "no-rbif");
        await SendAsync(sqs, queue, 4, i => new SendMessageRequest { MessageBody = "m-" + i });
        var function = new RecordingFunction(e => RecordingFunction.Failures([e.Records[0].MessageId]));
        await using var poller = Poller(sqs, queue, Source(queue, batchSize: 10, reportBatchItemFailures: false), function);

        await poller.StartAsync(CancellationToken.None);
        await WaitUntilAsync(() => poller.Counters.Deleted >= 4, () => poller.Counters.ToString());
        await poller.StopAsync(CancellationToken.None);

        Assert.Equal((0, 0L), (await CountAsync(sqs, queue), poller.Counters.Failed));
    }

    [Fact]
    public async Task FunctionError_NothingIsDeleted_AndTheErrorIsCounted()
    {
        using var sqs = moto.CreateSqs();
        var queue = await CreateQueueAsync(sqs, "errors");
        await SendAsync(sqs, queue, 6, i => new SendMessageRequest { MessageBody = "m-" + i });
        var function = new RecordingFunction(_ => RecordingFunction.FunctionError());
        await using var poller = Poller(sqs, queue, Source(queue, batchSize: 10, reportBatchItemFailures: true), function);

        await poller.StartAsync(CancellationToken.None);
        await WaitUntilAsync(() => poller.Counters.Received == 6);
        await poller.StopAsync(CancellationToken.None);

        var counters = poller.Counters;
        Assert.Equal((0L, 0L, 0), (counters.Deleted, counters.MalformedResponses, counters.InFlight));
        Assert.True(counters.FunctionErrors >= 1);
        Assert.Equal(counters.Invocations, counters.FunctionErrors);
        Assert.Equal(6, await CountAsync(sqs, queue));
    }

    [Fact]
    public async Task InvokerThrows_CountsAsAFunctionError_AndThePollerGoesOn()
    {
        using var sqs = moto.CreateSqs();
        var queue = await CreateQueueAsync(sqs, "throws");
        await SendAsync(sqs, queue, 3, i => new SendMessageRequest { MessageBody = "m-" + i });
        var calls = 0;
        var function = new RecordingFunction((_, _) => Interlocked.Increment(ref calls) == 1
            ? throw new InvalidOperationException("the runtime is gone")
            : Task.FromResult(RecordingFunction.Response("{}")));
        await using var poller = Poller(sqs, queue, Source(queue, batchSize: 10, reportBatchItemFailures: true), function, new SqsPollerOptions { FailedVisibilityTimeout = TimeSpan.Zero });

        await poller.StartAsync(CancellationToken.None);
        await WaitUntilAsync(() => poller.Counters.Deleted >= 3, () => poller.Counters.ToString());
        await poller.StopAsync(CancellationToken.None);

        Assert.Equal(1, poller.Counters.FunctionErrors);
        Assert.Equal(0, await CountAsync(sqs, queue));
    }

    [Fact]
    public async Task Fifo_ThreeGroups_EachGroupSeenInSendOrder_NeverTwoBatchesOfAGroupAtOnce()
    {
        using var sqs = moto.CreateSqs();
        var queue = await CreateQueueAsync(sqs, "commands.fifo", new() { ["FifoQueue"] = "true" });
        await SendAsync(sqs, queue, 30, i => new SendMessageRequest
        {
            MessageBody = $"g{i % 3}-{i / 3}",
            MessageGroupId = $"g{i % 3}",
            MessageDeduplicationId = "d" + i,
        });
        var function = new RecordingFunction(_ => RecordingFunction.Response("""{"batchItemFailures":[]}"""));
        await using var poller = Poller(sqs, queue, Source(queue, batchSize: 3, reportBatchItemFailures: true, maximumConcurrency: 3), function);

        await poller.StartAsync(CancellationToken.None);
        await WaitUntilAsync(() => poller.Counters.Deleted >= 30, () => poller.Counters.ToString());
        await poller.StopAsync(CancellationToken.None);

        Assert.Equal(1, function.MaxActivePerGroup);
        Assert.Equal(30, poller.Counters.Received);
        foreach (var group in new[] { "g0", "g1", "g2" })
        {
            var seen = function.Events.SelectMany(e => e.Event.Records).Where(r => r.MessageGroupId == group).Select(r => r.Body);
            Assert.Equal(Enumerable.Range(0, 10).Select(i => $"{group}-{i}"), seen);
        }

        var record = function.Events[0].Event.Records[0];
        Assert.False(string.IsNullOrEmpty(record.MessageDeduplicationId));
        Assert.False(string.IsNullOrEmpty(record.SequenceNumber));
        Assert.Equal(0, await CountAsync(sqs, queue));
    }

    [Fact]
    public async Task Fifo_FailureInTheMiddleOfAGroup_LaterMessagesOfTheGroupAreNotDeleted_AndTheFailedOneComesBackFirst()
    {
        using var sqs = moto.CreateSqs();
        var queue = await CreateQueueAsync(sqs, "fail.fifo", new() { ["FifoQueue"] = "true" });
        await SendAsync(sqs, queue, 10, i => new SendMessageRequest { MessageBody = "g-" + i, MessageGroupId = "g", MessageDeduplicationId = "d" + i });
        var failedOnce = 0;

        // Reports only g-5 (not what follows it in the batch), the first time: the poller must keep g-6... too.
        var function = new RecordingFunction(e =>
        {
            var five = e.Records.FirstOrDefault(r => r.Body == "g-5");
            return five is not null && Interlocked.Exchange(ref failedOnce, 1) == 0
                ? RecordingFunction.Failures([five.MessageId])
                : RecordingFunction.Response("{}");
        });
        await using var poller = Poller(
            sqs,
            queue,
            Source(queue, batchSize: 4, reportBatchItemFailures: true, maximumConcurrency: 2),
            function,
            new SqsPollerOptions { FailedVisibilityTimeout = TimeSpan.Zero });

        await poller.StartAsync(CancellationToken.None);
        await WaitUntilAsync(() => poller.Counters.Deleted >= 10, () => poller.Counters.ToString());
        await poller.StopAsync(CancellationToken.None);

        var events = function.Events;
        var failing = events.Select((e, i) => (e, i)).First(x => x.e.Bodies.Contains("g-5")).i;
        var failingBodies = events[failing].Bodies;
        var impliedFailures = failingBodies.Count - failingBodies.ToList().IndexOf("g-5");
        Assert.Equal(impliedFailures, poller.Counters.Failed);
        Assert.Equal("g-5", events[failing + 1].Bodies[0]);

        // What each invocation committed (up to the failure) concatenates to the group, once each, in order.
        var committed = events.SelectMany((e, i) => i == failing ? e.Bodies.TakeWhile(b => b != "g-5") : e.Bodies);
        Assert.Equal(Enumerable.Range(0, 10).Select(i => "g-" + i), committed);
        Assert.Equal(0, await CountAsync(sqs, queue));
    }

    [Fact]
    public async Task Fifo_GroupRedeliveredWhileItsBatchIsInFlight_TheSecondBatchWaitsForTheFirst()
    {
        // The queue's visibility timeout (1 s) expires while the first invocation is held, so SQS hands the group
        // out again: the poller itself must keep the second batch of the group from running alongside the first.
        using var sqs = moto.CreateSqs();
        var queue = await CreateQueueAsync(sqs, "slow.fifo", new() { ["FifoQueue"] = "true", ["VisibilityTimeout"] = "1" });
        await SendAsync(sqs, queue, 4, i => new SendMessageRequest { MessageBody = "g-" + i, MessageGroupId = "g", MessageDeduplicationId = "d" + i });
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var calls = 0;
        var function = new RecordingFunction(async (_, token) =>
        {
            if (Interlocked.Increment(ref calls) == 1)
            {
                await gate.Task.WaitAsync(token);
            }

            return RecordingFunction.Response("{}");
        });
        await using var poller = Poller(sqs, queue, Source(queue, batchSize: 10, reportBatchItemFailures: true, maximumConcurrency: 2), function);

        await poller.StartAsync(CancellationToken.None);
        await WaitUntilAsync(() => poller.Counters is { Received: > 4 } && (poller.Counters.GroupWaits == 1 || function.Events.Count > 1), () => poller.Counters.ToString());
        Assert.Single(function.Events);
        gate.SetResult();
        await WaitUntilAsync(async () => poller.Counters.InFlight == 0 && await CountAsync(sqs, queue) == 0);
        await poller.StopAsync(CancellationToken.None);

        // The redelivered messages (a duplicate delivery, as SQS makes after a visibility timeout) ran only after
        // the first batch. Which of them moto hands out first after such an expiry is moto's business (it picks
        // g-3 before g-0, which SQS would not), so only the set is checked here.
        Assert.Equal(1, function.MaxActivePerGroup);
        Assert.Equal(2, function.Events.Count);
        Assert.Equal(["g-0", "g-1", "g-2", "g-3"], function.Events[0].Bodies);
        var redelivered = function.Events[1];
        Assert.Subset(new HashSet<string> { "g-0", "g-1", "g-2", "g-3" }, redelivered.Bodies.ToHashSet());
        Assert.All(redelivered.Event.Records, r => Assert.Equal(2, r.ReceiveCount));
    }

    [Fact]
    public async Task AlwaysFailing_WithRedrivePolicy_MessagesEndInTheDeadLetterQueue()
    {
        using var sqs = moto.CreateSqs();
        var dlq = await CreateQueueAsync(sqs, "dlq");
        var queue = await CreateQueueAsync(sqs, "main", new()
        {
            ["RedrivePolicy"] = $$"""{"deadLetterTargetArn":"{{dlq.Arn}}","maxReceiveCount":"2"}""",
        });
        await SendAsync(sqs, queue, 3, i => new SendMessageRequest { MessageBody = "m-" + i });
        var function = new RecordingFunction(_ => RecordingFunction.FunctionError());
        await using var poller = Poller(sqs, queue, Source(queue, batchSize: 10, reportBatchItemFailures: true), function, new SqsPollerOptions { FailedVisibilityTimeout = TimeSpan.Zero });

        await poller.StartAsync(CancellationToken.None);
        await WaitUntilAsync(async () => await CountAsync(sqs, dlq) == 3);
        await poller.StopAsync(CancellationToken.None);

        Assert.Equal(0, await CountAsync(sqs, queue));
        Assert.Equal(6, poller.Counters.Received);
        Assert.Equal(0, poller.Counters.Deleted);
        Assert.Equal(["m-0", "m-1", "m-2"], (await ReceiveAllAsync(sqs, dlq, 3)).Order());
    }

    [Fact]
    public async Task BatchSizeTen_WithAWindow_NoBatchIsLarger_AndFullBatchesAreSent()
    {
        using var sqs = moto.CreateSqs();
        var queue = await CreateQueueAsync(sqs, "batches");
        await SendAsync(sqs, queue, 25, i => new SendMessageRequest { MessageBody = "m-" + i });
        var function = new RecordingFunction(_ => RecordingFunction.Response("{}"));
        await using var poller = Poller(sqs, queue, Source(queue, batchSize: 10, window: 1, reportBatchItemFailures: true), function);

        await poller.StartAsync(CancellationToken.None);
        // A standard queue delivers at least once (moto, like SQS, may hand a message to two receives), so wait for
        // the queue to be empty rather than for an exact delete count.
        await WaitUntilAsync(
            async () => poller.Counters.Deleted >= 25 && await CountAsync(sqs, queue) == 0,
            () => $"{poller.Counters}; batches {string.Join(",", function.Events.Select(e => e.Event.Records.Count))}");
        await poller.StopAsync(CancellationToken.None);

        var sizes = function.Events.Select(e => e.Event.Records.Count).ToList();
        Assert.All(sizes, s => Assert.InRange(s, 1, 10));
        Assert.Contains(10, sizes);
        Assert.Equal(
            Enumerable.Range(0, 25).Select(i => "m-" + i).Order(),
            function.Events.SelectMany(e => e.Event.Records).Select(r => r.Body).Distinct().Order());
    }

    [Fact]
    public async Task BatchSizeAboveTen_TheWindowGathersSeveralReceivesIntoOneInvocation()
    {
        using var sqs = moto.CreateSqs();
        var queue = await CreateQueueAsync(sqs, "window");
        await SendAsync(sqs, queue, 25, i => new SendMessageRequest { MessageBody = "m-" + i });
        var function = new RecordingFunction(_ => RecordingFunction.Response("{}"));
        await using var poller = Poller(sqs, queue, Source(queue, batchSize: 20, window: 2, reportBatchItemFailures: true), function, new SqsPollerOptions { MaxConcurrency = 1 });

        await poller.StartAsync(CancellationToken.None);
        await WaitUntilAsync(() => poller.Counters.Deleted >= 25, () => poller.Counters.ToString());
        await poller.StopAsync(CancellationToken.None);

        Assert.Equal([20, 5], function.Events.Select(e => e.Event.Records.Count));
    }

    [Fact]
    public async Task DisabledSource_DoesNotPoll()
    {
        using var sqs = moto.CreateSqs();
        var queue = await CreateQueueAsync(sqs, "disabled");
        await SendAsync(sqs, queue, 1, _ => new SendMessageRequest { MessageBody = "m" });
        var function = new RecordingFunction(_ => RecordingFunction.Response("{}"));
        await using var poller = Poller(sqs, queue, Source(queue, batchSize: 10, reportBatchItemFailures: true) with { Enabled = false }, function);

        await poller.StartAsync(CancellationToken.None);

        Assert.Equal(0, poller.RunningPollers);
        await poller.StopAsync(CancellationToken.None);
        Assert.Equal(1, await CountVisibleAsync(sqs, queue));
        Assert.Empty(function.Events);
    }

    [Fact]
    public async Task QueueMissingAtFirst_ThePollerBacksOffAndRetries_ThenDeliversOnceItExists()
    {
        using var sqs = moto.CreateSqs();
        var name = "late-" + Guid.NewGuid().ToString("N");
        var queue = Definition(name, new Uri(moto.Endpoint, $"{MotoServer.AccountId}/{name}").ToString());
        var function = new RecordingFunction(_ => RecordingFunction.Response("{}"));
        await using var poller = Poller(sqs, queue, Source(queue, batchSize: 10, reportBatchItemFailures: true), function);

        await poller.StartAsync(CancellationToken.None);
        await WaitUntilAsync(() => poller.Counters.ReceiveErrors >= 2);
        var created = await sqs.CreateQueueAsync(name);
        Assert.Equal(queue.Url, created.QueueUrl);
        await sqs.SendMessageAsync(queue.Url, "late");
        await WaitUntilAsync(() => poller.Counters.Deleted >= 1, () => poller.Counters.ToString());
        await poller.StopAsync(CancellationToken.None);

        Assert.Equal("late", Assert.Single(function.Events).Bodies.Single());
    }

    [Fact]
    public async Task Stop_LetsTheBatchInFlightFinish_AndDeletesIt()
    {
        using var sqs = moto.CreateSqs();
        var queue = await CreateQueueAsync(sqs, "stop");
        await SendAsync(sqs, queue, 3, i => new SendMessageRequest { MessageBody = "m-" + i });
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var function = new RecordingFunction(async (_, token) =>
        {
            started.TrySetResult();
            await gate.Task.WaitAsync(token);
            return RecordingFunction.Response("{}");
        });
        await using var poller = Poller(sqs, queue, Source(queue, batchSize: 10, reportBatchItemFailures: true), function);
        await poller.StartAsync(CancellationToken.None);
        await started.Task.WaitAsync(Patience);

        var stop = poller.StopAsync(CancellationToken.None);
        Assert.False(stop.IsCompleted);
        gate.SetResult();
        await stop.WaitAsync(Patience);

        Assert.Equal((3L, 0), (poller.Counters.Deleted, poller.Counters.InFlight));
        Assert.Equal(0, poller.RunningPollers);
        Assert.Equal(0, await CountAsync(sqs, queue));
    }

    [Fact]
    public async Task Stop_Cancelled_AbandonsTheBatchInFlight_NothingDeleted()
    {
        using var sqs = moto.CreateSqs();
        var queue = await CreateQueueAsync(sqs, "abandon");
        await SendAsync(sqs, queue, 3, i => new SendMessageRequest { MessageBody = "m-" + i });
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var function = new RecordingFunction(async (_, token) =>
        {
            started.TrySetResult();
            await Task.Delay(Timeout.Infinite, token);
            return RecordingFunction.Response("{}");
        });
        await using var poller = Poller(sqs, queue, Source(queue, batchSize: 10, reportBatchItemFailures: true), function);
        await poller.StartAsync(CancellationToken.None);
        await started.Task.WaitAsync(Patience);

        await poller.StopAsync(new CancellationToken(canceled: true)).WaitAsync(Patience);

        Assert.Equal((0L, 0), (poller.Counters.Deleted, poller.Counters.InFlight));
        Assert.Equal(3, await CountAsync(sqs, queue));
    }

    private static SqsPoller Poller(IAmazonSQS sqs, QueueDefinition queue, SqsEventSource source, RecordingFunction function, SqsPollerOptions? options = null) =>
        new("TestFunction", source, queue, sqs, function.InvokeAsync, options);

    private static SqsEventSource Source(QueueDefinition queue, int batchSize, bool reportBatchItemFailures, int window = 0, int? maximumConcurrency = null) =>
        new("Queue", queue.Arn, batchSize, window, maximumConcurrency, reportBatchItemFailures, Enabled: true);

    private static async Task<QueueDefinition> CreateQueueAsync(IAmazonSQS sqs, string name, Dictionary<string, string>? attributes = null)
    {
        var unique = name.EndsWith(".fifo", StringComparison.Ordinal)
            ? name[..^5] + "-" + Guid.NewGuid().ToString("N") + ".fifo"
            : name + "-" + Guid.NewGuid().ToString("N");
        var created = await sqs.CreateQueueAsync(new CreateQueueRequest { QueueName = unique, Attributes = attributes ?? [] });
        return Definition(unique, created.QueueUrl);
    }

    private static QueueDefinition Definition(string name, string url) => new()
    {
        LogicalId = "Queue",
        QueueName = name,
        Url = url,
        Arn = $"arn:aws:sqs:{MotoServer.Region}:{MotoServer.AccountId}:{name}",
        Attributes = new Dictionary<string, string>(),
        Tags = new Dictionary<string, string>(),
    };

    private static async Task SendAsync(IAmazonSQS sqs, QueueDefinition queue, int count, Func<int, SendMessageRequest> message)
    {
        for (var i = 0; i < count; i++)
        {
            var request = message(i);
            request.QueueUrl = queue.Url;
            await sqs.SendMessageAsync(request);
        }
    }

    /// <summary>Messages in the queue, visible or not (received and not deleted).</summary>
    private static async Task<int> CountAsync(IAmazonSQS sqs, QueueDefinition queue)
    {
        var attributes = await sqs.GetQueueAttributesAsync(new GetQueueAttributesRequest
        {
            QueueUrl = queue.Url,
            AttributeNames = ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
        });
        return attributes.Attributes.Values.Sum(v => int.Parse(v, CultureInfo.InvariantCulture));
    }

    private static async Task<int> CountVisibleAsync(IAmazonSQS sqs, QueueDefinition queue)
    {
        var attributes = await sqs.GetQueueAttributesAsync(queue.Url, ["ApproximateNumberOfMessages"]);
        return int.Parse(attributes.Attributes["ApproximateNumberOfMessages"], CultureInfo.InvariantCulture);
    }

    private static async Task<List<string>> ReceiveAllAsync(IAmazonSQS sqs, QueueDefinition queue, int expected)
    {
        var bodies = new List<string>();
        var deadline = DateTime.UtcNow + Patience;
        while (bodies.Count < expected && DateTime.UtcNow < deadline)
        {
            var received = await sqs.ReceiveMessageAsync(new ReceiveMessageRequest { QueueUrl = queue.Url, MaxNumberOfMessages = 10, WaitTimeSeconds = 1 });
            bodies.AddRange((received.Messages ?? []).Select(m => m.Body));
        }

        return bodies;
    }

    private static Task WaitUntilAsync(Func<bool> condition, Func<string>? state = null) => WaitUntilAsync(() => Task.FromResult(condition()), state);

    private static async Task WaitUntilAsync(Func<Task<bool>> condition, Func<string>? state = null)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"The condition did not hold within {Patience.TotalSeconds} s. {state?.Invoke()}");
            }

            await Task.Delay(20);
        }
    }
}
