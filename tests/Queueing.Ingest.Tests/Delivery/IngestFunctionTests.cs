using System.Net;
using System.Text;
using Queueing.Contracts.DeadLetters;
using Queueing.Contracts.Events;
using Queueing.Ingest.Telemetry;
using Queueing.Ingest.Tests.Support;
using Queueing.Shared.DeadLetters;
using Queueing.Shared.Secrets;
using Queueing.Testing;

namespace Queueing.Ingest.Tests.Delivery;

public sealed class IngestFunctionTests : IDisposable
{
    private readonly HandlerHarness _h = new(maxReceiveCount: 3);

    private static SqsMessage Reading(string device, long timestamp, int seq, int receiveCount = 1) =>
        TestRecords.Record(TestRecords.Telemetry(device, timestamp, $"\"seq\":{seq}"), receiveCount, messageId: $"m{seq}");

    private void AnswerPerRequest(params HttpStatusCode[] statuses)
    {
        var next = 0;
        _h.Broker.Respond = (request, _) =>
        {
            var status = statuses[Math.Min(next++, statuses.Length - 1)];
            if ((int)status < 300)
            {
                _h.Accept(request.Events);
            }

            return Task.FromResult(ScriptedBroker.Error(status, status == HttpStatusCode.OK ? "" : "overloaded"));
        };
    }

    [Fact]
    public async Task HandleAsync_SeveralDevices_EachRequestHasDistinctResourcesInTimestampOrder()
    {
        _h.RejectEventsWith("never");
        // Shuffled on purpose: a's readings arrive newest first.
        var response = await _h.InvokeAsync(
            Reading("a", 300, 0), Reading("b", 100, 1), Reading("a", 100, 2), Reading("c", 100, 3),
            Reading("a", 200, 4), Reading("b", 200, 5));

        Assert.Empty(response.BatchItemFailures);
        Assert.Equal(3, _h.Broker.Requests.Count);
        Assert.All(_h.Broker.Requests, r => Assert.Equal(r.Resources.Length, r.Resources.Distinct().Count()));
        Assert.Equal(["a", "b", "c"], _h.Broker.Requests[0].Resources);
        var aTimes = _h.Accepted.Where(e => e.GetProperty("resource").GetString() == "a").Select(e => e.GetProperty("timestamp").GetInt64());
        Assert.Equal([100L, 200, 300], aTimes);
        Assert.Empty(_h.Parker.Parked);
    }

    [Fact]
    public async Task HandleAsync_MalformedRecords_ParkedAtOnceWithReasonAndNeverSent()
    {
        _h.RejectEventsWith("never");
        var records = new[]
        {
            TestRecords.Record("not json", messageId: "bad-json"),
            TestRecords.Record("[1,2]", messageId: "bad-array"),
            TestRecords.Record("{\"temp\":1,\"receivedAt\":5}", messageId: "bad-no-device"),
            TestRecords.Record("{\"deviceId\":\"d\",\"receivedAt\":5}", messageId: "bad-no-measurement"),
            TestRecords.Record("{\"deviceId\":\"d\",\"pad\":\"" + new string('x', 5000) + "\"}", messageId: "bad-oversize"),
            Reading("ok", 1, 99),
        };

        var response = await _h.InvokeAsync(records);

        Assert.Empty(response.BatchItemFailures);
        Assert.All(_h.Parker.Parked, p => Assert.Equal(DeadLetterKind.Malformed, p.Kind));
        Assert.StartsWith("body is not valid JSON", _h.Parker.For("bad-json").Error, StringComparison.Ordinal);
        Assert.Equal("body is a JSON array; expected an object", _h.Parker.For("bad-array").Error);
        Assert.StartsWith("body has no deviceId", _h.Parker.For("bad-no-device").Error, StringComparison.Ordinal);
        Assert.StartsWith("flat format: body has no measurement", _h.Parker.For("bad-no-measurement").Error, StringComparison.Ordinal);
        Assert.EndsWith("over the 4096-byte limit (MAX_TELEMETRY_BYTES)", _h.Parker.For("bad-oversize").Error, StringComparison.Ordinal);
        Assert.Equal(["ok"], _h.Broker.Requests.Single().Resources);
    }

    [Fact]
    public async Task HandleAsync_PayloadNamesAnotherResource_EventStillGoesToTheTopicDevice()
    {
        _h.RejectEventsWith("never");

        await _h.InvokeAsync(TestRecords.Record("{\"resource\":\"victim\",\"temp\":3,\"deviceId\":\"lamp-1\",\"receivedAt\":5}"));

        var ev = Assert.Single(_h.Accepted);
        Assert.Equal("lamp-1", ev.GetProperty("resource").GetString());
        Assert.DoesNotContain("victim", _h.Broker.Requests.Single().Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task HandleAsync_ClaimRuleRecord_ParkedAsRejectedAtOnceAndNothingSent()
    {
        _h.RejectEventsWith("never");

        var response = await _h.InvokeAsync(
            TestRecords.Record("""{"topicDeviceId":"lamp-1","claimedDeviceId":"other","base64OriginalPayload":"e30="}""", messageId: "claim"),
            Reading("ok", 1, 99));

        Assert.Empty(response.BatchItemFailures);
        var parked = Assert.Single(_h.Parker.Parked);
        Assert.Equal(DeadLetterKind.Rejected, parked.Kind);
        Assert.Contains("device 'lamp-1'", _h.Parker.For("claim").Error, StringComparison.Ordinal);
        Assert.Equal(["ok"], _h.Broker.Requests.Single().Resources);
    }

    [Theory]
    [InlineData(HttpStatusCode.BadRequest, "HTTP 400 Bad Request")]
    [InlineData(HttpStatusCode.RequestEntityTooLarge, "HTTP 413 Request Entity Too Large")]
    [InlineData(HttpStatusCode.UnprocessableEntity, "HTTP 422 Unprocessable Entity")]
    public async Task HandleAsync_RefusedMultiEventRequest_BisectsToParkOnlyTheRefusedEvents(HttpStatusCode status, string statusLine)
    {
        _h.RejectEventsWith("poison", status);
        var records = Enumerable.Range(0, 8)
            .Select(i => TestRecords.Record(TestRecords.Telemetry($"d{i}", 1, i is 2 or 5 ? $"\"poison\":{i}" : $"\"seq\":{i}"), messageId: $"m{i}"))
            .ToArray();

        var response = await _h.InvokeAsync(records);

        Assert.Empty(response.BatchItemFailures);
        Assert.Equal(["m2", "m5"], _h.Parker.Parked.Select(p => p.Record.MessageId).Order());
        Assert.All(_h.Parker.Parked, p =>
        {
            Assert.Equal(DeadLetterKind.Rejected, p.Kind);
            Assert.Equal($"{statusLine}: Invalid measurement 'poison'", p.Error);
        });
        Assert.Equal([0, 1, 3, 4, 6, 7], _h.Accepted.Select(e => e.GetProperty("seq").GetInt32()).Order());
        // 1 + 2 halves + 4 quarters + 4 singles where a quarter was refused: far fewer than one request per event pair.
        Assert.True(_h.Broker.Requests.Count <= 11, $"{_h.Broker.Requests.Count} requests");
    }

    [Fact]
    public async Task HandleAsync_TransientFailureWhileBisecting_KeepsTheDeliveredHalfAndRetriesTheRest()
    {
        var calls = 0;
        _h.Broker.Respond = (request, _) =>
        {
            calls++;
            if (calls == 1)
            {
                return Task.FromResult(ScriptedBroker.Error(HttpStatusCode.BadRequest, "Invalid measurement 'poison'"));
            }

            if (calls == 2)
            {
                _h.Accept(request.Events);
                return Task.FromResult(ScriptedBroker.Json(HttpStatusCode.OK, "{}"));
            }

            return Task.FromResult(ScriptedBroker.Error(HttpStatusCode.BadGateway, "proxy down"));
        };

        var response = await _h.InvokeAsync(
            Reading("a", 1, 0), Reading("b", 1, 1), Reading("c", 1, 2), Reading("d", 1, 3), Reading("a", 2, 4));

        Assert.Equal(["m0", "m1"], _h.Accepted.Select(e => "m" + e.GetProperty("seq").GetInt32()));
        Assert.Equal(["m2", "m3", "m4"], _h.Failures(response).Order());
        Assert.Empty(_h.Parker.Parked);
    }

    [Fact]
    public async Task HandleAsync_SingleEventRefused_ParkedAsRejectedWithoutSplitting()
    {
        _h.RejectEventsWith("poison");

        var response = await _h.InvokeAsync(TestRecords.Record(TestRecords.Telemetry("d", 1, "\"poison\":true"), messageId: "p"));

        Assert.Empty(response.BatchItemFailures);
        Assert.Single(_h.Broker.Requests);
        Assert.Equal(DeadLetterKind.Rejected, _h.Parker.For("p").Kind);
    }

    [Fact]
    public async Task HandleAsync_TransientFailureInARound_StopsAndLeavesUnsentRecordsForRetry()
    {
        AnswerPerRequest(HttpStatusCode.OK, HttpStatusCode.ServiceUnavailable);

        var response = await _h.InvokeAsync(
            Reading("a", 1, 0), Reading("b", 1, 1), Reading("a", 2, 2), Reading("b", 2, 3), Reading("a", 3, 4), Reading("b", 3, 5));

        // Round 1 delivered, round 2 failed, round 3 never sent (it would overtake round 2 for a and b).
        Assert.Equal(2, _h.Broker.Requests.Count);
        Assert.Equal(["m2", "m3", "m4", "m5"], _h.Failures(response).Order());
        Assert.Empty(_h.Parker.Parked);
    }

    [Fact]
    public async Task HandleAsync_TransientFailureOnLastReceive_ParksExhaustedWithTheError()
    {
        AnswerPerRequest(HttpStatusCode.OK, HttpStatusCode.ServiceUnavailable);

        var response = await _h.InvokeAsync(
            Reading("a", 1, 0), Reading("a", 2, 1, receiveCount: 3), Reading("a", 3, 2, receiveCount: 2), Reading("a", 4, 3, receiveCount: 5));

        Assert.Equal(["m2"], _h.Failures(response));
        Assert.Equal(["m1", "m3"], _h.Parker.Parked.Select(p => p.Record.MessageId).Order());
        Assert.All(_h.Parker.Parked, p =>
        {
            Assert.Equal(DeadLetterKind.Exhausted, p.Kind);
            Assert.Equal("HTTP 503 Service Unavailable: overloaded", p.Error);
        });
    }

    [Fact]
    public async Task HandleAsync_CredentialsRotated_ReReadsOnceAndDelivers()
    {
        var accepted = "key-1";
        _h.Broker.Respond = (request, _) => Task.FromResult(
            request.Authorization == "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes($"{accepted}:secret-1"))
                ? ScriptedBroker.Json(HttpStatusCode.OK, "{}")
                : ScriptedBroker.Error(HttpStatusCode.Unauthorized, "invalid api key"));
        await _h.InvokeAsync(Reading("a", 1, 0));

        accepted = "key-2";
        _h.Secret.Stored = FakeSecret.Json("key-2", "secret-1");
        var response = await _h.InvokeAsync(Reading("a", 2, 1), Reading("a", 3, 2));

        Assert.Empty(response.BatchItemFailures);
        Assert.Equal(1, _h.Secret.Refreshes);
        // Invocation 1: one request. Invocation 2: 401, then the same round again with the new key, then round 2.
        Assert.Equal(4, _h.Broker.Requests.Count);
    }

    [Theory]
    [InlineData(HttpStatusCode.Unauthorized)]
    [InlineData(HttpStatusCode.Forbidden)]
    public async Task HandleAsync_CredentialsStillRefused_WholeBatchRetriedAndNothingRejected(HttpStatusCode status)
    {
        _h.Broker.Respond = (_, _) => Task.FromResult(ScriptedBroker.Error(status, "invalid api key"));

        var response = await _h.InvokeAsync(Reading("a", 1, 0), Reading("b", 1, 1), Reading("a", 2, 2), TestRecords.Record("oops", messageId: "bad"));

        Assert.Equal(["m0", "m1", "m2"], _h.Failures(response).Order());
        Assert.Equal(1, _h.Secret.Refreshes);
        Assert.Equal(2, _h.Broker.Requests.Count);
        var parked = Assert.Single(_h.Parker.Parked);
        Assert.Equal(DeadLetterKind.Malformed, parked.Kind);
    }

    [Fact]
    public async Task HandleAsync_CredentialsRefusedOnLastReceive_ParksExhaustedWithTheAuthError()
    {
        _h.Broker.Respond = (_, _) => Task.FromResult(ScriptedBroker.Error(HttpStatusCode.Unauthorized, "invalid api key"));

        var response = await _h.InvokeAsync(Reading("a", 1, 0, receiveCount: 3), Reading("b", 1, 1));

        Assert.Equal(["m1"], _h.Failures(response));
        var parked = Assert.Single(_h.Parker.Parked);
        Assert.Equal(DeadLetterKind.Exhausted, parked.Kind);
        Assert.Equal("Waylay refused the credentials even after re-reading them: HTTP 401 Unauthorized: invalid api key", parked.Error);
    }

    [Theory]
    [InlineData(HttpStatusCode.NotFound)]
    [InlineData(HttpStatusCode.MethodNotAllowed)]
    public async Task HandleAsync_OtherClientError_IsAConfigurationFaultNotARejection(HttpStatusCode status)
    {
        _h.Broker.Respond = (_, _) => Task.FromResult(ScriptedBroker.Error(status, "no such route"));

        var response = await _h.InvokeAsync(Reading("a", 1, 0), Reading("b", 1, 1, receiveCount: 3));

        Assert.Equal(["m0"], _h.Failures(response));
        Assert.Equal(0, _h.Secret.Refreshes);
        var parked = Assert.Single(_h.Parker.Parked);
        Assert.Equal(DeadLetterKind.Exhausted, parked.Kind);
        Assert.Contains("configuration fault", parked.Error, StringComparison.Ordinal);
        Assert.Contains($"HTTP {(int)status}", parked.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task HandleAsync_CredentialsParameterMissing_RecordsRetriedNotParked()
    {
        _h.Secret.Failure = new SecretUnavailableException($"SSM parameter '{HandlerHarness.Parameter}' does not exist.");

        var response = await _h.InvokeAsync(Reading("a", 1, 0), Reading("b", 1, 1));

        Assert.Equal(["m0", "m1"], _h.Failures(response).Order());
        Assert.Empty(_h.Broker.Requests);
        Assert.Empty(_h.Parker.Parked);
    }

    [Fact]
    public async Task HandleAsync_DlqSendFails_RecordStaysABatchItemFailure()
    {
        _h.RejectEventsWith("never");
        _h.Parker.Refuse.Add("bad");

        var response = await _h.InvokeAsync(TestRecords.Record("oops", messageId: "bad"), Reading("a", 1, 0));

        Assert.Equal(["bad"], _h.Failures(response));
        Assert.Equal(1, _h.Metrics.GetProperty("ParkingFailed").GetInt32());
    }

    [Fact]
    public async Task HandleAsync_RoundWiderThanARequest_IsChunked()
    {
        using var h = new HandlerHarness(maxEventsPerRequest: 100);
        h.RejectEventsWith("never");

        var response = await h.InvokeAsync([.. Enumerable.Range(0, 250).Select(i => Reading($"d{i}", 1, i))]);

        Assert.Empty(response.BatchItemFailures);
        Assert.Equal([50, 100, 100], h.Broker.Requests.Select(r => r.Events.Length).Order());
        Assert.Equal(250, h.Accepted.Count);
    }

    [Fact]
    public async Task HandleAsync_WideRound_SendsAtMostFourRequestsAtOnce()
    {
        using var h = new HandlerHarness(maxEventsPerRequest: 1, maxConcurrentRequests: 4);
        var inFlight = 0;
        var mostInFlight = 0;
        var fourInFlight = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        h.Broker.Respond = async (request, _) =>
        {
            var now = Interlocked.Increment(ref inFlight);
            InterlockedMax(ref mostInFlight, now);
            if (now == 4)
            {
                fourInFlight.TrySetResult();
            }

            // Hold the first requests until four are in flight: fewer would never get here (the test times out).
            await fourInFlight.Task.WaitAsync(TimeSpan.FromSeconds(20));
            h.Accept(request.Events);
            Interlocked.Decrement(ref inFlight);
            return ScriptedBroker.Json(HttpStatusCode.OK, "{}");
        };

        var response = await h.InvokeAsync([.. Enumerable.Range(0, 12).Select(i => Reading($"d{i}", 1, i))]);

        Assert.Empty(response.BatchItemFailures);
        Assert.Equal(4, mostInFlight);
        Assert.Equal(12, h.Accepted.Count);
    }

    [Fact]
    public async Task HandleAsync_ConcurrentRequestFails_StartsNothingNewAndNextRoundWaits()
    {
        using var h = new HandlerHarness(maxEventsPerRequest: 1, maxConcurrentRequests: 4);
        FailDeviceD1(h);
        var records = Enumerable.Range(0, 10).SelectMany(i => new[] { Reading($"d{i}", 1, i), Reading($"d{i}", 2, 100 + i) }).ToArray();

        var response = await h.InvokeAsync(records);

        var delivered = h.Accepted.Select(e => "m" + e.GetProperty("seq").GetInt32()).ToHashSet();
        var failed = h.Failures(response).ToHashSet();
        Assert.All(records, r => Assert.True(delivered.Contains(r.MessageId) ^ failed.Contains(r.MessageId), r.MessageId));
        Assert.DoesNotContain(h.Broker.Requests, r => r.Events.Any(e => e.GetProperty("timestamp").GetInt64() == 2));
        Assert.Contains("m1", failed);
        // Only round 1 went out (one request per device). How many of its requests start before d1's failure is
        // recorded depends on scheduling (the others answer at once); the test below pins "nothing new" down.
        Assert.True(h.Broker.Requests.Count <= 10, $"{h.Broker.Requests.Count} requests");
    }

    /// <summary>The broker answers 503 to every request for device d1 and accepts the others.</summary>
    private static void FailDeviceD1(HandlerHarness h) => h.Broker.Respond = (request, _) =>
    {
        if (request.Resources[0] == "d1")
        {
            return Task.FromResult(ScriptedBroker.Error(HttpStatusCode.ServiceUnavailable, "overloaded"));
        }

        h.Accept(request.Events);
        return Task.FromResult(ScriptedBroker.Json(HttpStatusCode.OK, "{}"));
    };

    [Fact]
    public async Task HandleAsync_OneRequestAtATime_StartsNothingAfterTheFirstFailure()
    {
        using var h = new HandlerHarness(maxEventsPerRequest: 1, maxConcurrentRequests: 1);
        FailDeviceD1(h);
        var records = Enumerable.Range(0, 5).Select(i => Reading($"d{i}", 1, i)).ToArray();

        var response = await h.InvokeAsync(records);

        // d0 delivered, d1 failed, then nothing more was sent: d2..d4 wait for SQS's retry with d1.
        Assert.Equal(["d0", "d1"], h.Broker.Requests.Select(r => r.Resources[0]));
        Assert.Equal(["m0"], h.Accepted.Select(e => "m" + e.GetProperty("seq").GetInt32()));
        Assert.Equal(new HashSet<string> { "m1", "m2", "m3", "m4" }, h.Failures(response).ToHashSet());
    }

    [Fact]
    public async Task HandleAsync_ConcurrentRequestsRefusedAfterRotation_ReadCredentialsOnce()
    {
        using var h = new HandlerHarness(maxEventsPerRequest: 1, maxConcurrentRequests: 4);
        var accepted = "key-1";
        h.Broker.Respond = (request, _) => Task.FromResult(
            request.Authorization == "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes($"{accepted}:secret-1"))
                ? ScriptedBroker.Json(HttpStatusCode.OK, "{}")
                : ScriptedBroker.Error(HttpStatusCode.Unauthorized, "invalid api key"));
        await h.InvokeAsync(Reading("warm", 1, 0));
        accepted = "key-2";
        h.Secret.Stored = FakeSecret.Json("key-2", "secret-1");

        var response = await h.InvokeAsync([.. Enumerable.Range(1, 8).Select(i => Reading($"d{i}", 1, i))]);

        Assert.Empty(response.BatchItemFailures);
        Assert.Equal(1, h.Secret.Refreshes);
    }

    private static void InterlockedMax(ref int target, int value)
    {
        var current = Volatile.Read(ref target);
        while (value > current && Interlocked.CompareExchange(ref target, value, current) is var seen && seen != current)
        {
            current = seen;
        }
    }

    [Fact]
    public async Task HandleAsync_NoTimeLeft_DoesNotCallTheBrokerAndRetriesEverything()
    {
        _h.RejectEventsWith("never");

        var response = await _h.Handler.HandleAsync(TestRecords.Event(Reading("a", 1, 0)), _h.Context(remaining: TimeSpan.FromMilliseconds(100)), CancellationToken.None);

        Assert.Equal(["m0"], _h.Failures(response));
        Assert.Empty(_h.Broker.Requests);
    }

    [Theory]
    [InlineData(900_000, 5_000)]
    [InlineData(60_000, 5_000)]
    [InlineData(20_000, 2_000)]
    [InlineData(3_000, 500)]
    [InlineData(100, 500)]
    public void SafetyMargin_TenthOfRemainingTime_Clamped(int remainingMs, int marginMs)
    {
        Assert.Equal(TimeSpan.FromMilliseconds(marginMs), IngestFunction.SafetyMargin(TimeSpan.FromMilliseconds(remainingMs)));
    }

    [Fact]
    public async Task HandleAsync_Invocation_WritesOneEmfLineWithTheCounts()
    {
        _h.RejectEventsWith("poison");

        await _h.InvokeAsync(Reading("a", 1, 0), Reading("b", 1, 1), TestRecords.Record(TestRecords.Telemetry("c", 1, "\"poison\":1")), TestRecords.Record("{}"));

        var metrics = _h.Metrics;
        Assert.Equal("Queueing", metrics.GetProperty("_aws").GetProperty("CloudWatchMetrics")[0].GetProperty("Namespace").GetString());
        Assert.Equal("ingest", metrics.GetProperty("FunctionName").GetString());
        Assert.Equal(4, metrics.GetProperty("Received").GetInt32());
        Assert.Equal(2, metrics.GetProperty("Delivered").GetInt32());
        Assert.Equal(1, metrics.GetProperty("ParkedMalformed").GetInt32());
        Assert.Equal(1, metrics.GetProperty("ParkedRejected").GetInt32());
        Assert.Equal(0, metrics.GetProperty("ParkedExhausted").GetInt32());
        Assert.Equal(0, metrics.GetProperty("Failed").GetInt32());
        Assert.Equal(_h.Broker.Requests.Count, metrics.GetProperty("WaylayRequests").GetInt32());
        Assert.True(metrics.TryGetProperty("WaylayLatency", out _));
        Assert.True(metrics.TryGetProperty("Retried", out _));
        Assert.Contains(_h.Lines, l => l.TryGetProperty("message", out var m) && m.GetString()!.StartsWith("Batch of 4: 2 delivered", StringComparison.Ordinal));
    }

    [Fact]
    public async Task HandleAsync_NoMismatch_EmfLineCountsZeroMismatches()
    {
        // Zero is written too, so a CloudWatch alarm on the metric sees data points, not "insufficient data".
        _h.RejectEventsWith("never");

        await _h.InvokeAsync(Reading("a", 1, 0));

        Assert.Equal(0, _h.Metrics.GetProperty("DeviceIdMismatch").GetInt32());
    }

    [Fact]
    public async Task HandleAsync_EnvelopesOnBothRules_DeliveredFlatAndMismatchesParkedRejectedAndCounted()
    {
        using var h = new HandlerHarness(format: TelemetryFormat.Envelope);
        h.RejectEventsWith("never");

        var response = await h.InvokeAsync(
            TestRecords.Record(TestRecords.Envelope("lamp-1", "lamp-1", """{"lightValue":400,"timestamp":10}"""), messageId: "topic-ok"),
            TestRecords.Record(TestRecords.Envelope("lamp-1", "lamp-9", """{"lightValue":1}"""), messageId: "topic-spoof"),
            TestRecords.Record(TestRecords.Legacy("lamp-2", """{"deviceID":"lamp-2","data":{"lightValue":300,"timestamp":20}}"""), messageId: "legacy-ok"),
            TestRecords.Record(TestRecords.Legacy("lamp-2", """{"deviceID":"lamp-1","data":{"lightValue":2}}"""), messageId: "legacy-spoof"),
            TestRecords.Record(TestRecords.Legacy("lamp-3", """{"lightValue":3}"""), messageId: "legacy-flat"));

        Assert.Empty(response.BatchItemFailures);
        Assert.Equal(
            ["""{"resource":"lamp-1","timestamp":10,"lightValue":400}""", """{"resource":"lamp-2","timestamp":20,"lightValue":300}"""],
            h.Accepted.Select(e => e.GetRawText()).Order());
        Assert.Equal(DeadLetterKind.Rejected, h.Parker.For("topic-spoof").Kind);
        Assert.Contains("deviceID 'lamp-9' disagrees with 'lamp-1'", h.Parker.For("topic-spoof").Error, StringComparison.Ordinal);
        Assert.Equal(DeadLetterKind.Rejected, h.Parker.For("legacy-spoof").Kind);
        Assert.Contains("deviceID 'lamp-1' disagrees with 'lamp-2'", h.Parker.For("legacy-spoof").Error, StringComparison.Ordinal);
        Assert.Equal(DeadLetterKind.Malformed, h.Parker.For("legacy-flat").Kind);
        var metrics = h.Metrics;
        Assert.Equal(2, metrics.GetProperty("DeviceIdMismatch").GetInt32());
        Assert.Equal(2, metrics.GetProperty("ParkedRejected").GetInt32());
        Assert.Equal(1, metrics.GetProperty("ParkedMalformed").GetInt32());
        Assert.Equal(2, metrics.GetProperty("Delivered").GetInt32());
    }

    [Fact]
    public async Task InvokeAsync_LambdaEventJson_AnswersPartialBatchResponseJson()
    {
        AnswerPerRequest(HttpStatusCode.InternalServerError);
        var payload = Encoding.UTF8.GetBytes("""
            {"Records":[{"messageId":"id-1","receiptHandle":"rh","body":"{\"t\":1,\"deviceId\":\"d\",\"receivedAt\":5}",
              "attributes":{"ApproximateReceiveCount":"1","SentTimestamp":"1","SenderId":"x","ApproximateFirstReceiveTimestamp":"2"},
              "messageAttributes":{},"md5OfBody":"0","eventSource":"aws:sqs","eventSourceARN":"arn:aws:sqs:us-east-1:123456789012:IngestQueue","awsRegion":"us-east-1"}]}
            """);

        var response = await _h.Handler.InvokeAsync(payload, _h.Context(), CancellationToken.None);

        Assert.Equal("{\"batchItemFailures\":[{\"itemIdentifier\":\"id-1\"}]}", Encoding.UTF8.GetString(response));
    }

    [Fact]
    public async Task HandleAsync_ParkingOutlastsTheDeadline_StopsItOnTheInvocationsClockAndReportsTheRecord()
    {
        var parker = new ParkerWaitingForCancellation();
        using var h = new HandlerHarness(parker: parker);

        var invocation = h.InvokeAsync(TestRecords.Record("not json", messageId: "bad"));
        // Parking may run until 200 ms before the deadline (one minute away), measured on the injected clock.
        await h.Time.AdvanceWhenWaitingAsync(TimeSpan.FromMinutes(1) - TimeSpan.FromMilliseconds(200));
        var response = await invocation.WaitAsync(TimeSpan.FromSeconds(20));

        Assert.True(parker.SawCancellation);
        Assert.Equal(["bad"], h.Failures(response));
    }

    private sealed class ParkerWaitingForCancellation : IRecordParker
    {
        public bool SawCancellation { get; private set; }

        public async Task<ParkResult> ParkAsync(IReadOnlyList<ParkRequest> requests, CancellationToken cancellationToken)
        {
            try
            {
                await Task.Delay(Timeout.Infinite, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                SawCancellation = true;
            }

            return new ParkResult(new HashSet<string>(), requests.ToDictionary(r => r.Record.MessageId, _ => "cancelled"));
        }
    }

    [Fact]
    public async Task HandleAsync_EmptyBatch_AnswersNoFailures()
    {
        var response = await _h.InvokeAsync();

        Assert.Empty(response.BatchItemFailures);
        Assert.Empty(_h.Broker.Requests);
    }

    public void Dispose() => _h.Dispose();
}
