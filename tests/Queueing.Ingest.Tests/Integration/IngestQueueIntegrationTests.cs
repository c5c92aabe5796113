using System.Globalization;
using Amazon.SQS.Model;
using Queueing.Contracts.DeadLetters;
using Queueing.Ingest.Tests.Support;
using Queueing.Testing;
using Xunit.Abstractions;

namespace Queueing.Ingest.Tests.Integration;

/// <summary>
/// The ingest path end to end on real infrastructure: a real SQS queue with redrive (moto_server), the handler
/// driven the way Lambda's event source mapping drives it, and a Waylay stand-in over real HTTP with injected
/// faults. Every test ends by counting: each message sent is delivered or in the DLQ with its reason.
/// </summary>
public sealed class IngestQueueIntegrationTests : IClassFixture<MotoServer>
{
    private readonly MotoServer _moto;
    private readonly ITestOutputHelper _output;

    public IngestQueueIntegrationTests(MotoServer moto, ITestOutputHelper output)
    {
        _moto = moto;
        _output = output;
    }

    private static string Valid(int seq, string device, long timestamp, bool poison = false) =>
        TestRecords.Telemetry(device, timestamp, $"\"seq\":{seq},\"lightValue\":{seq * 7 % 1000}{(poison ? ",\"poison\":true" : "")}");

    private static List<string> Shuffled(IEnumerable<string> bodies) => [.. bodies.OrderBy(_ => Random.Shared.Next())];

    [Fact]
    public async Task Drive_MixedBatchWithBrokerFaults_EveryMessageDeliveredOnceOrParkedWithItsReason()
    {
        using var stack = await IngestStack.CreateAsync(_moto, "key-1", "secret-1");
        await using var waylay = await FakeWaylayBroker.StartAsync("key-1", "secret-1");
        waylay.Faults = n => n switch
        {
            1 or 2 => new Fault(Status: 500),
            4 => new Fault(Status: 429, RetryAfterSeconds: 1),
            7 => new Fault(Slow: TimeSpan.FromSeconds(3)),
            10 => new Fault(Status: 503),
            // Four in a row outlast the three retries: that round stops and SQS redelivers its records.
            >= 14 and <= 17 => new Fault(Status: 502),
            _ => null,
        };
        var valid = Enumerable.Range(0, 60).Select(i => Valid(i, $"lamp-{i % 12}", 1_764_288_000_000 + i)).ToList();
        var poison = Enumerable.Range(60, 4).Select(i => Valid(i, $"lamp-{i % 12}", 1_764_288_000_000 + i, poison: true)).ToList();
        var malformed = new Dictionary<string, string>
        {
            ["this is not json"] = "body is not valid JSON",
            ["[{\"deviceId\":\"lamp-1\",\"t\":1}]"] = "body is a JSON array; expected an object",
            ["{\"lightValue\":3,\"receivedAt\":1764288000123}"] = "body has no deviceId",
            ["{\"deviceId\":\"lamp-2\",\"receivedAt\":1764288000123}"] = "flat format: body has no measurement",
            ["{\"deviceId\":\"lamp-3\",\"pad\":\"" + new string('x', IngestStack.MaxTelemetryBytes) + "\"}"] = "body is 4",
        };
        await stack.SendAsync(Shuffled([.. valid, .. poison, .. malformed.Keys]));

        var driver = new FakeSqsEventSource(stack.Sqs, stack.QueueUrl, stack.QueueArn, stack.Handler(waylay.BaseAddress)) { VisibilityTimeout = 60 };
        await driver.RunUntilEmptyAsync();
        var dead = await stack.DeadLettersAsync();
        _output.WriteLine($"{driver.Invocations} invocations, {driver.ReportedFailures} batch item failures, {waylay.Answers.Count} broker requests");

        AssertReasons(stack, dead);
        var delivered = waylay.Delivered.Select(e => e.GetProperty("seq").GetInt32()).ToList();
        Assert.Equal(Enumerable.Range(0, 60), delivered.Order());
        Assert.Equal(0, waylay.ForwardViolations);
        Assert.Equal(poison.Order(), dead.Where(m => Kind(m) == "rejected").Select(m => m.Body).Order());
        Assert.All(dead.Where(m => Kind(m) == "rejected"), m =>
            Assert.Matches(@"^HTTP 400 Bad Request: Invalid measurement 'poison' for resource lamp-\d+$", Error(m)));
        foreach (var (body, reason) in malformed)
        {
            var parked = Assert.Single(dead, m => m.Body == body);
            Assert.Equal("malformed", Kind(parked));
            Assert.StartsWith(reason, Error(parked), StringComparison.Ordinal);
        }

        Assert.Equal(valid.Count + poison.Count + malformed.Count, delivered.Count + dead.Count);
        // The injected faults happened and were survived, not skipped.
        Assert.Contains(waylay.Answers, a => a.Status == 429);
        Assert.Contains(waylay.Answers, a => a.Status == 499);
        Assert.Contains(waylay.Answers, a => a.Status == 500);
        Assert.True(driver.ReportedFailures > 0, "no record went back to SQS for redelivery");
    }

    [Fact]
    public async Task Drive_BrokerDownForGood_EveryMessageParkedAsExhaustedOnItsLastReceive()
    {
        using var stack = await IngestStack.CreateAsync(_moto, "key-1", "secret-1");
        await using var waylay = await FakeWaylayBroker.StartAsync("key-1", "secret-1");
        waylay.Faults = _ => new Fault(Status: 503);
        var bodies = Enumerable.Range(0, 25).Select(i => Valid(i, $"lamp-{i % 5}", 1_764_288_000_000 + i)).ToList();
        await stack.SendAsync(bodies);

        var driver = new FakeSqsEventSource(stack.Sqs, stack.QueueUrl, stack.QueueArn, stack.Handler(waylay.BaseAddress)) { VisibilityTimeout = 60 };
        await driver.RunUntilEmptyAsync();
        var dead = await stack.DeadLettersAsync();

        AssertReasons(stack, dead);
        Assert.Empty(waylay.Delivered);
        Assert.Equal(bodies.Order(), dead.Select(m => m.Body).Order());
        Assert.All(dead, m =>
        {
            Assert.Equal("exhausted", Kind(m));
            Assert.Contains("503", Error(m), StringComparison.Ordinal);
            Assert.Equal("3", m.MessageAttributes[DeadLetterAttributes.ReceiveCount].StringValue);
        });
        // A dead broker trips the circuit: later invocations fail fast instead of retrying.
        Assert.Contains(dead, m => Error(m).StartsWith("Waylay circuit open (broker failing: HTTP 503)", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Drive_CredentialsRotatedWhileRunning_ReReadAndEverythingDelivered()
    {
        using var stack = await IngestStack.CreateAsync(_moto, "key-1", "secret-1");
        await using var waylay = await FakeWaylayBroker.StartAsync("key-1", "secret-1");
        var bodies = Enumerable.Range(0, 30).Select(i => Valid(i, $"lamp-{i % 10}", 1_764_288_000_000 + i)).ToList();
        await stack.SendAsync(bodies);
        var driver = new FakeSqsEventSource(stack.Sqs, stack.QueueUrl, stack.QueueArn, stack.Handler(waylay.BaseAddress))
        {
            VisibilityTimeout = 60,
            AfterInvocation = n =>
            {
                if (n == 1)
                {
                    // Rotation: Waylay takes only the new key from now on, and the parameter holds it.
                    waylay.AcceptOnly("key-2", "secret-2");
                    stack.PutCredentialsAsync("key-2", "secret-2").GetAwaiter().GetResult();
                }
            },
        };

        await driver.RunUntilEmptyAsync();

        Assert.Empty(await stack.DeadLettersAsync());
        Assert.Equal(Enumerable.Range(0, 30), waylay.Delivered.Select(e => e.GetProperty("seq").GetInt32()).Order());
        Assert.Single(waylay.Answers, a => a.Status == 401);
        Assert.Equal(0, driver.ReportedFailures);
    }

    [Fact]
    public async Task Drive_CredentialsNeverAccepted_NothingRejectedEverythingExhaustedWithTheAuthError()
    {
        using var stack = await IngestStack.CreateAsync(_moto, "key-1", "secret-1");
        await using var waylay = await FakeWaylayBroker.StartAsync("someone-else", "secret");
        var bodies = Enumerable.Range(0, 12).Select(i => Valid(i, $"lamp-{i % 4}", 1_764_288_000_000 + i)).ToList();
        await stack.SendAsync(bodies);

        var driver = new FakeSqsEventSource(stack.Sqs, stack.QueueUrl, stack.QueueArn, stack.Handler(waylay.BaseAddress)) { VisibilityTimeout = 60 };
        await driver.RunUntilEmptyAsync();
        var dead = await stack.DeadLettersAsync();

        AssertReasons(stack, dead);
        Assert.Equal(bodies.Order(), dead.Select(m => m.Body).Order());
        Assert.All(dead, m =>
        {
            Assert.Equal("exhausted", Kind(m));
            Assert.Equal("Waylay refused the credentials even after re-reading them: HTTP 401 Unauthorized: Invalid api key or secret", Error(m));
        });
        Assert.Equal(bodies.Count * (IngestStack.MaxReceiveCount - 1), driver.ReportedFailures);
    }

    private static string Kind(Message m) => m.MessageAttributes[DeadLetterAttributes.Kind].StringValue;

    private static string Error(Message m) => m.MessageAttributes[DeadLetterAttributes.Error].StringValue;

    /// <summary>Every DLQ message says why it is there, where it came from and who parked it.</summary>
    private static void AssertReasons(IngestStack stack, List<Message> dead)
    {
        Assert.All(dead, m =>
        {
            Assert.True(DeadLetterKinds.TryParse(Kind(m), out _), $"no valid Queueing.Kind on {m.Body}");
            Assert.False(string.IsNullOrWhiteSpace(Error(m)));
            Assert.Equal(stack.QueueArn, m.MessageAttributes[DeadLetterAttributes.SourceQueue].StringValue);
            Assert.Equal("ingest", m.MessageAttributes[DeadLetterAttributes.Function].StringValue);
            Assert.Equal("Number", m.MessageAttributes[DeadLetterAttributes.ReceiveCount].DataType);
            Assert.True(DateTimeOffset.TryParse(m.MessageAttributes[DeadLetterAttributes.FirstReceiveTime].StringValue, CultureInfo.InvariantCulture, out _));
        });
    }
}
