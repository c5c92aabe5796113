using System.Globalization;
using System.Text;
using Queueing.Contracts.Commands;
using Queueing.Contracts.DeadLetters;
using Queueing.Contracts.Events;
using Queueing.Ingest.Tests.Support;

namespace Queueing.Ingest.Tests.Delivery;

/// <summary>
/// Command events in the ingest function (issue 15): in the same rounds as telemetry, each device's events in
/// timestamp order, the unusable ones parked with their reasons, every record accounted for.
/// </summary>
public sealed class CommandEventDeliveryTests : IDisposable
{
    private static readonly DateTimeOffset T0 = DateTimeOffset.FromUnixTimeMilliseconds(1_764_288_000_000);

    private readonly HandlerHarness _h = new(maxReceiveCount: 3);

    public void Dispose() => _h.Dispose();

    private static SqsMessage Status(CommandStatusKind kind, string device, string commandId, long atMs, string id, string? detail = null) =>
        TestRecords.Record(new CommandStatusMessage(kind, device, commandId, T0, T0.AddMilliseconds(atMs), detail).ToJson(), messageId: id);

    private static SqsMessage Ack(string device, string payload, long atMs, string id) =>
        TestRecords.Record(
            $$"""{"commandEvent":"ack","deviceId":"{{device}}","receivedAt":{{(T0.ToUnixTimeMilliseconds() + atMs).ToString(CultureInfo.InvariantCulture)}},"base64OriginalPayload":"{{Convert.ToBase64String(Encoding.UTF8.GetBytes(payload))}}"}""",
            messageId: id);

    private static SqsMessage Telemetry(string device, long atMs, string id) =>
        TestRecords.Record(TestRecords.Telemetry(device, T0.ToUnixTimeMilliseconds() + atMs, "\"lightValue\":412"), messageId: id);

    [Fact]
    public async Task HandleAsync_MixedBatch_EveryRecordDeliveredOrParkedAndEachDevicesEventsInTimestampOrder()
    {
        _h.RejectEventsWith("never");
        // Shuffled as a standard queue may deliver them: the ackDue before the published, the ack before both.
        var records = new[]
        {
            Status(CommandStatusKind.AckDue, "lamp-1", "c-1", 60_000, "ackdue-1"),
            Ack("lamp-1", """{"commandId":"c-1","status":"done","acceptedAt":"2025-11-28T00:00:00.000Z"}""", 2_000, "ack-1"),
            Telemetry("lamp-1", 3_000, "telemetry-late"),
            Status(CommandStatusKind.Published, "lamp-1", "c-1", 1_000, "published-1"),
            Telemetry("lamp-1", 500, "telemetry-early"),
            Status(CommandStatusKind.Expired, "lamp-2", "c-2", 4_000, "expired-2", "Command c-2 expired"),
            Status(CommandStatusKind.Rejected, "lamp-3", "c-3", 4_000, "rejected-3", "IoT Data Publish answered 403"),
            Ack("lamp-2", "not json", 5_000, "bad-ack"),
            TestRecords.Record("""{"commandEvent":"delivered","deviceId":"lamp-2","commandId":"c-2","acceptedAt":"2025-11-28T00:00:00Z","at":"2025-11-28T00:00:01Z"}""", messageId: "unknown-event"),
            TestRecords.Record("""{"topicDeviceId":"lamp-1","claimedCommandEvent":"published","base64OriginalPayload":"e30="}""", messageId: "claim"),
        };

        var response = await _h.InvokeAsync(records);

        Assert.Empty(response.BatchItemFailures);
        // Nothing lost: 10 in = 7 delivered + 3 parked.
        Assert.Equal(7, _h.Accepted.Count);
        Assert.Equal(3, _h.Parker.Parked.Count);
        Assert.Equal(7, _h.Metrics.GetProperty("Delivered").GetInt32());
        Assert.Equal(2, _h.Metrics.GetProperty("ParkedMalformed").GetInt32());
        Assert.Equal(1, _h.Metrics.GetProperty("ParkedRejected").GetInt32());
        var lamp1 = _h.Accepted.Where(e => e.GetProperty("resource").GetString() == "lamp-1").ToList();
        Assert.Equal(
            [(500L, "telemetry"), (1_000, "published"), (2_000, "acknowledged"), (3_000, "telemetry"), (60_000, "ackDue")],
            lamp1.Select(e => (
                e.GetProperty("timestamp").GetInt64() - T0.ToUnixTimeMilliseconds(),
                e.TryGetProperty("commandStatus", out var s) ? s.GetString()! : "telemetry")));
        var ack = lamp1.Single(e => e.TryGetProperty("commandStatus", out var s) && s.GetString() == "acknowledged");
        Assert.Equal(2_000, ack.GetProperty("commandLatencyMs").GetInt64());
        Assert.Equal(0, ack.GetProperty("commandPending").GetInt32());
        Assert.All(_h.Accepted.Where(e => e.TryGetProperty("commandStatus", out _)), e => Assert.False(e.TryGetProperty("lightValue", out _)));
        var expired = _h.Accepted.Single(e => e.GetProperty("resource").GetString() == "lamp-2");
        Assert.Equal(("c-2", "expired", 0, "Command c-2 expired"), (
            expired.GetProperty("commandId").GetString(), expired.GetProperty("commandStatus").GetString(),
            expired.GetProperty("commandPending").GetInt32(), expired.GetProperty("commandDetail").GetString()));
        Assert.Equal(DeadLetterKind.Malformed, _h.Parker.For("bad-ack").Kind);
        Assert.StartsWith("the acknowledgement device 'lamp-2' published is refused: the acknowledgement is not valid JSON", _h.Parker.For("bad-ack").Error, StringComparison.Ordinal);
        Assert.Equal(DeadLetterKind.Malformed, _h.Parker.For("unknown-event").Kind);
        Assert.Contains("commandEvent 'delivered' is not one Ingest knows", _h.Parker.For("unknown-event").Error, StringComparison.Ordinal);
        Assert.Equal(DeadLetterKind.Rejected, _h.Parker.For("claim").Kind);
        Assert.Contains("sets commandEvent \"published\"", _h.Parker.For("claim").Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task HandleAsync_WaylayRefusesAStatusEvent_ParkedAsRejectedLikeTelemetry()
    {
        _h.RejectEventsWith("commandStatus");

        var response = await _h.InvokeAsync(Status(CommandStatusKind.Published, "lamp-1", "c-1", 1_000, "published-1"), Telemetry("lamp-2", 1_000, "t"));

        Assert.Empty(response.BatchItemFailures);
        Assert.Equal(DeadLetterKind.Rejected, Assert.Single(_h.Parker.Parked).Kind);
        Assert.Equal("published-1", _h.Parker.Parked[0].Record.MessageId);
    }
}
