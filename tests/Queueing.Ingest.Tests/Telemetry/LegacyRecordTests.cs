using System.Text;
using System.Text.Json;
using Queueing.Ingest.Telemetry;
using Queueing.Ingest.Tests.Support;
using Queueing.Ingest.Waylay;

namespace Queueing.Ingest.Tests.Telemetry;

/// <summary>LegacyTelemetryRule's records: the device id is the MQTT client id, the payload an envelope in base64.</summary>
public sealed class LegacyRecordTests
{
    private const string Lamp = """{"deviceID":"lamp-1","data":{"lightValue":400,"timestamp":1764201600000}}""";

    // The telemetry rule's topic is flat: a legacy record is an envelope whatever TELEMETRY_FORMAT says.
    private readonly TelemetryParser _parser = new(1024, TelemetryFormat.Flat);

    private TelemetryParseResult Parse(string body) => _parser.Parse(TestRecords.Record(body), 0);

    [Fact]
    public void Parse_ReplacedSetupsMessage_ResourceIsTheClientIdAndDataTheEvent()
    {
        var reading = Parse(TestRecords.Legacy("lamp-1", Lamp)).Reading!;

        Assert.Equal("lamp-1", reading.Resource);
        Assert.Equal(
            """{"resource":"lamp-1","timestamp":1764201600000,"lightValue":400}""",
            JsonDocument.Parse(WaylayRequestBody.Write([reading])).RootElement[0].GetRawText());
    }

    [Fact]
    public void Parse_NoDataTimestamp_UsesTheRulesReceiveTime()
    {
        Assert.Equal(TestRecords.ReceivedAt, Parse(TestRecords.Legacy("lamp-1", """{"deviceID":"lamp-1","data":{"lightValue":1}}""")).Reading!.Timestamp);
    }

    [Fact]
    public void Parse_PayloadDeviceIdNamesAnotherThing_RejectedWithBothValuesAndFlagged()
    {
        var result = Parse(TestRecords.Legacy("lamp-1", """{"deviceID":"lamp-2","data":{"lightValue":400}}"""));

        Assert.Null(result.Reading);
        Assert.True(result.DeviceIdMismatch);
        Assert.StartsWith(
            "envelope format: the payload's deviceID 'lamp-2' disagrees with 'lamp-1', the device id taken from the MQTT client id (clientid(); " +
            "the device policy binds it to the thing name)",
            result.RejectedReason,
            StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_NotSentOverMqtt_RejectedBecauseItNamesNoDevice()
    {
        // clientid() is "n/a" for a message published over HTTPS (AWS IoT SQL functions, clientid()).
        var result = Parse(TestRecords.Legacy("n/a", Lamp));

        Assert.False(result.DeviceIdMismatch);
        Assert.Equal(
            "the message on the legacy topic 'legacy/telemetry' has client id 'n/a', which is not a thing name (it did not arrive over MQTT), " +
            "so it names no device and is delivered to no resource (the payload is in base64OriginalPayload)",
            result.RejectedReason);
    }

    [Fact]
    public void Parse_ClientIdOutsideTheThingNameAlphabet_Rejected()
    {
        Assert.Contains("client id 'ops console', which is not a thing name (1 to 128 characters", Parse(TestRecords.Legacy("ops console", Lamp)).RejectedReason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("", "envelope format: the payload is empty; expected a JSON object")]
    [InlineData("lightValue=400", "envelope format: the payload is not valid JSON: ")]
    [InlineData("""[{"deviceID":"lamp-1"}]""", "envelope format: the payload is a JSON array; expected an object")]
    [InlineData("""{"lightValue":400}""", "envelope format: unexpected field 'lightValue' beside deviceID and data")]
    [InlineData("""{"deviceID":"lamp-1","data":{"t":1},"deviceId":"lamp-9"}""", "envelope format: unexpected field 'deviceId'")]
    [InlineData("""{"deviceID":"lamp-1","data":{"t":1},"receivedAt":1}""", "envelope format: unexpected field 'receivedAt'")]
    [InlineData("""{"deviceID":"lamp-1"}""", "envelope format: body has no data")]
    [InlineData("""{"deviceID":"lamp-1","data":{"t":1,"timestamp":true}}""", "envelope format: data.timestamp must be Unix epoch milliseconds or an ISO 8601 string, got a JSON boolean")]
    public void Parse_PayloadThatIsNoEnvelope_IsMalformedNamingTheFormat(string payload, string reason)
    {
        var result = Parse(TestRecords.Legacy("lamp-1", payload));

        Assert.Null(result.RejectedReason);
        Assert.StartsWith(reason, result.MalformedReason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"clientId":"lamp-1","receivedAt":5}""", "legacy rule record: base64OriginalPayload is missing")]
    [InlineData("""{"clientId":"lamp-1","base64OriginalPayload":"not base64!"}""", "legacy rule record: base64OriginalPayload is not base64")]
    [InlineData("""{"clientId":7,"base64OriginalPayload":"e30="}""", "legacy rule record: clientId must be a string, got a JSON number")]
    [InlineData("""{"clientId":"a","clientId":"b","base64OriginalPayload":"e30="}""", "legacy rule record: body has clientId twice")]
    [InlineData("""{"clientId":"a","receivedAt":"now","base64OriginalPayload":"e30="}""", "legacy rule record: receivedAt must be Unix epoch milliseconds")]
    public void Parse_BrokenLegacyRecord_IsMalformed(string body, string reason)
    {
        Assert.StartsWith(reason, Parse(body).MalformedReason, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_PayloadAtTheLimit_AcceptedThoughTheRecordIsLarger()
    {
        // The limit is on what the device sent; base64 makes the record a third larger.
        const string prefix = "{\"deviceID\":\"lamp-1\",\"data\":{\"pad\":\"";
        var payload = prefix + new string('x', 1024 - prefix.Length - 3) + "\"}}";
        Assert.Equal(1024, Encoding.UTF8.GetByteCount(payload));
        var body = TestRecords.Legacy("lamp-1", payload);
        Assert.True(Encoding.UTF8.GetByteCount(body) > 1024);

        Assert.Equal("lamp-1", Parse(body).Reading!.Resource);
    }

    [Fact]
    public void Parse_PayloadOverTheLimit_IsMalformed()
    {
        var payload = "{\"deviceID\":\"lamp-1\",\"data\":{\"pad\":\"" + new string('x', 1024) + "\"}}";

        Assert.Equal($"the payload is {Encoding.UTF8.GetByteCount(payload)} bytes, over the 1024-byte limit (MAX_TELEMETRY_BYTES)", Parse(TestRecords.Legacy("lamp-1", payload)).MalformedReason);
    }

    [Fact]
    public void Parse_TelemetryRecordLargerThanTheLimit_StillMalformedForItsSize()
    {
        // The larger allowance is for base64-carrying records only.
        var body = "{\"deviceId\":\"d\",\"pad\":\"" + new string('x', 1100) + "\"}";

        Assert.Equal($"body is {Encoding.UTF8.GetByteCount(body)} bytes, over the 1024-byte limit (MAX_TELEMETRY_BYTES)", Parse(body).MalformedReason);
    }

    [Fact]
    public void Parse_NotJsonBetweenTheLimits_ReportsTheSizeFirst()
    {
        var body = "{\"deviceId\":\"d\",\"pad\":\"" + new string('x', 1100);

        Assert.StartsWith("body is ", Parse(body).MalformedReason, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_RecordFarOverTheLimit_IsMalformedBeforeParsing()
    {
        var body = TestRecords.Legacy("lamp-1", new string('x', 4000));

        Assert.EndsWith("over the 1024-byte limit (MAX_TELEMETRY_BYTES)", Parse(body).MalformedReason, StringComparison.Ordinal);
        Assert.StartsWith("body is ", Parse(body).MalformedReason, StringComparison.Ordinal);
    }
}
