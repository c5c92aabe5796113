using System.Globalization;
using System.Text;
using System.Text.Json;
using Queueing.Contracts.Commands;
using Queueing.Ingest.Telemetry;
using Queueing.Ingest.Tests.Support;
using Queueing.Ingest.Waylay;

namespace Queueing.Ingest.Tests.Telemetry;

/// <summary>
/// Records that carry <c>commandEvent</c> (issue 15): the command publisher's status messages and CommandAckRule's
/// acknowledgements, each one Waylay event on the device's resource with the documented fields, or parked with the
/// reason; telemetry that claims <c>commandEvent</c> is rejected.
/// </summary>
public sealed class CommandEventTests
{
    private static readonly DateTimeOffset AcceptedAt = DateTimeOffset.FromUnixTimeMilliseconds(1_764_288_000_000);
    private static readonly DateTimeOffset At = AcceptedAt.AddMilliseconds(1500);

    private readonly TelemetryParser _parser = new(1024, TelemetryFormat.Flat);

    private TelemetryParseResult Parse(string body) => _parser.Parse(TestRecords.Record(body), 0);

    private static string Event(TelemetryParseResult result)
    {
        Assert.True(result.Reading is not null, result.MalformedReason ?? result.RejectedReason);
        return JsonDocument.Parse(WaylayRequestBody.Write([result.Reading])).RootElement[0].GetRawText();
    }

    /// <summary>What CommandAckRule puts on IngestQueue for <paramref name="payload"/> published on lamp-1's ack topic.</summary>
    private static string AckRecord(string payload, string deviceId = "lamp-1", long receivedAt = 1_764_288_002_000) =>
        $$"""{"commandEvent":"ack","deviceId":"{{deviceId}}","receivedAt":{{receivedAt.ToString(CultureInfo.InvariantCulture)}},"base64OriginalPayload":"{{Convert.ToBase64String(Encoding.UTF8.GetBytes(payload))}}"}""";

    [Theory]
    [InlineData(CommandStatusKind.Published, "published", null, 1)]
    [InlineData(CommandStatusKind.AckDue, "ackDue", null, 2)]
    [InlineData(CommandStatusKind.Expired, "expired", "Command c-1 expired at 2025-11-28T00:01:00.000Z", 0)]
    [InlineData(CommandStatusKind.Rejected, "rejected", "IoT Data Publish answered 403 Forbidden: no", 0)]
    [InlineData(CommandStatusKind.Undelivered, "undelivered", "Receive 3 of 3: IoT Data Publish answered 503 Service Unavailable", 0)]
    public void Parse_StatusMessage_OneEventWithTheDocumentedFields(CommandStatusKind kind, string status, string? detail, int pending)
    {
        var message = new CommandStatusMessage(kind, "lamp-1", "c-1", AcceptedAt, At, detail);

        var json = Event(Parse(message.ToJson()));

        var expectedDetail = detail is null ? "" : $",\"commandDetail\":\"{detail}\"";
        Assert.Equal(
            $"{{\"resource\":\"lamp-1\",\"timestamp\":1764288001500,\"commandId\":\"c-1\",\"commandStatus\":\"{status}\",\"commandPending\":{pending},\"commandLatencyMs\":1500{expectedDetail}}}",
            json);
        // Never a measurement the light-threshold rule reads.
        Assert.DoesNotContain("lightValue", json, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("done", "acknowledged")]
    [InlineData("failed", "failed")]
    public void Parse_Ack_TimedByTheRulesReceiveTimeWithTheLatencyFromTheEchoedAcceptedAt(string status, string commandStatus)
    {
        var record = AckRecord($$"""{"commandId":"c-1","status":"{{status}}","detail":"relay stuck","acceptedAt":"2025-11-28T00:00:00.000Z"}""");

        Assert.Equal(
            $"{{\"resource\":\"lamp-1\",\"timestamp\":1764288002000,\"commandId\":\"c-1\",\"commandStatus\":\"{commandStatus}\",\"commandPending\":0,\"commandLatencyMs\":2000,\"commandDetail\":\"relay stuck\"}}",
            Event(Parse(record)));
    }

    [Theory]
    [InlineData("""{"commandId":"c-1","status":"done"}""")]
    [InlineData("""{"commandId":"c-1","status":"done","acceptedAt":"a while ago"}""")]
    [InlineData("""{"commandId":"c-1","status":"done","acceptedAt":"2025-11-28T00:00:05.000Z"}""")]
    public void Parse_AckWithoutAUsableAcceptedAt_NoLatencyRatherThanAWrongOne(string payload)
    {
        Assert.Equal(
            """{"resource":"lamp-1","timestamp":1764288002000,"commandId":"c-1","commandStatus":"acknowledged","commandPending":0}""",
            Event(Parse(AckRecord(payload))));
    }

    [Fact]
    public void Parse_AckClaimingAnotherDevice_IsRefusedNotRedirected()
    {
        // The device id comes from the topic, never the body: a deviceId member is an unknown member of an ack.
        var result = Parse(AckRecord("""{"commandId":"c-1","status":"done","deviceId":"lamp-2"}"""));

        Assert.Equal(
            "the acknowledgement device 'lamp-1' published is refused: acknowledgement: unknown member 'deviceId' (allowed: commandId, status, detail, acceptedAt)",
            result.MalformedReason);
    }

    [Theory]
    [InlineData("done", "the acknowledgement is not valid JSON")]
    [InlineData("", "the acknowledgement is not valid JSON")]
    [InlineData("[]", "the acknowledgement is a JSON array; expected an object")]
    [InlineData("""{"status":"done"}""", "commandId is missing")]
    [InlineData("""{"commandId":"","status":"done"}""", "commandId '' is not a command id")]
    [InlineData("""{"commandId":42,"status":"done"}""", "commandId must be a string, got a JSON number")]
    [InlineData("""{"commandId":"c-1","status":"ok"}""", "status 'ok' is neither done nor failed")]
    [InlineData("""{"commandId":"c-1"}""", "status is missing")]
    [InlineData("""{"commandId":"c-1","status":"done","lightValue":900}""", "unknown member 'lightValue'")]
    [InlineData("""{"commandId":"c-1","status":"done","commandId":"c-2"}""", "has a member twice")]
    public void Parse_BadAck_ParkedAsMalformedWithTheReason(string payload, string reason)
    {
        var result = Parse(AckRecord(payload));

        Assert.Null(result.Reading);
        Assert.StartsWith("the acknowledgement device 'lamp-1' published is refused: ", result.MalformedReason, StringComparison.Ordinal);
        Assert.Contains(reason, result.MalformedReason, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_AckDetailOver256Characters_Malformed()
    {
        var result = Parse(AckRecord($$"""{"commandId":"c-1","status":"failed","detail":"{{new string('x', 257)}}"}"""));

        Assert.Contains("detail is 257 characters, over 256", result.MalformedReason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"commandEvent":"ack","deviceId":"lamp-1","receivedAt":1,"base64OriginalPayload":"%%%"}""", "command acknowledgement record: base64OriginalPayload is not base64")]
    [InlineData("""{"commandEvent":"ack","deviceId":"lamp-1","receivedAt":"soon","base64OriginalPayload":"e30="}""", "receivedAt must be Unix epoch milliseconds")]
    [InlineData("""{"commandEvent":"ack","deviceId":"lamp/1","receivedAt":1,"base64OriginalPayload":"e30="}""", "deviceId 'lamp/1' is not a thing name")]
    [InlineData("""{"commandEvent":"ack","receivedAt":1,"base64OriginalPayload":"e30="}""", "deviceId is missing")]
    [InlineData("""{"commandEvent":"ack","deviceId":"lamp-1","base64OriginalPayload":"e30="}""", "receivedAt is missing")]
    [InlineData("""{"commandEvent":"ack","deviceId":"lamp-1","receivedAt":1}""", "base64OriginalPayload is missing")]
    [InlineData("""{"commandEvent":"ack","deviceId":"lamp-1","receivedAt":1,"base64OriginalPayload":"e30=","status":"done"}""", "unexpected field 'status'")]
    [InlineData("""{"commandEvent":"ack","commandEvent":"ack","deviceId":"lamp-1","receivedAt":1,"base64OriginalPayload":"e30="}""", "body has commandEvent twice")]
    public void Parse_AckRecordNotAsTheRuleWritesIt_Malformed(string body, string reason)
    {
        var result = Parse(body);

        Assert.Null(result.Reading);
        Assert.Contains(reason, result.MalformedReason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"commandEvent":"delivered","deviceId":"lamp-1","commandId":"c-1","acceptedAt":"2025-11-28T00:00:00Z","at":"2025-11-28T00:00:01Z"}""", "commandEvent 'delivered' is not one Ingest knows")]
    [InlineData("""{"commandEvent":7,"deviceId":"lamp-1"}""", "commandEvent must be a string, got a JSON number")]
    [InlineData("""{"commandEvent":"published","deviceId":"lamp-1","commandId":"c-1","acceptedAt":"2025-11-28T00:00:00Z"}""", "at is missing")]
    [InlineData("""{"commandEvent":"published","deviceId":"lamp-1","commandId":"c-1","acceptedAt":"2025-11-28T00:00:00Z","at":"2025-11-28T00:00:01Z","lightValue":1}""", "unknown member 'lightValue'")]
    public void Parse_StatusMessageIngestCannotUse_MalformedWithTheReason(string body, string reason)
    {
        var result = Parse(body);

        Assert.Null(result.Reading);
        Assert.StartsWith("status message: ", result.MalformedReason, StringComparison.Ordinal);
        Assert.Contains(reason, result.MalformedReason, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_TelemetryClaimingACommandEvent_RejectedSayingWhatWasClaimed()
    {
        // What TelemetryClaimRule writes for {"commandEvent":"ack","lightValue":3} on lamp-1's telemetry topic.
        var payload = Convert.ToBase64String("""{"commandEvent":"ack","lightValue":3}"""u8.ToArray());
        var result = Parse($$"""{"topicDeviceId":"lamp-1","claimedCommandEvent":"ack","base64OriginalPayload":"{{payload}}"}""");

        Assert.Null(result.Reading);
        Assert.Equal(
            "the payload published on the topic of device 'lamp-1' sets commandEvent \"ack\"; only the IoT rules and the command publisher set those (from the topic, their clock and the command's fate), " +
            "so it is delivered to no resource (the payload is in base64OriginalPayload)",
            result.RejectedReason);
    }
}
