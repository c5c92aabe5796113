using System.Text.Json;
using Queueing.Ingest.Telemetry;
using Queueing.Ingest.Tests.Support;
using Queueing.Ingest.Waylay;

namespace Queueing.Ingest.Tests.Telemetry;

/// <summary>TELEMETRY_FORMAT=envelope: the replaced setup's {"deviceID","data"} on the telemetry rule's topic.</summary>
public sealed class EnvelopeFormatTests
{
    private readonly TelemetryParser _parser = new(1024, TelemetryFormat.Envelope);

    private TelemetryParseResult Parse(string body) => _parser.Parse(TestRecords.Record(body), 0);

    private static JsonElement AsEvent(TelemetryReading reading) =>
        JsonDocument.Parse(WaylayRequestBody.Write([reading])).RootElement[0];

    [Fact]
    public void Parse_ReplacedSetupsMessage_DataBecomesTheFlatEventWithItsOwnTimestamp()
    {
        // The message: today's flat format nests it under "data" and ignores the device's timestamp.
        var result = Parse(TestRecords.Envelope("lamp-1", "lamp-1", """{"lightValue":400,"timestamp":1764201600000}"""));

        var ev = AsEvent(result.Reading!);
        Assert.Equal(
            """{"resource":"lamp-1","timestamp":1764201600000,"lightValue":400}""",
            ev.GetRawText());
    }

    [Fact]
    public void Parse_SameMessageInFlatFormat_StaysNestedUnderData()
    {
        var flat = new TelemetryParser(1024, TelemetryFormat.Flat);

        var reading = flat.Parse(TestRecords.Record(TestRecords.Envelope("lamp-1", "lamp-1", """{"lightValue":400}""")), 0).Reading!;

        var ev = AsEvent(reading);
        Assert.Equal(400, ev.GetProperty("data").GetProperty("lightValue").GetInt32());
        Assert.False(ev.TryGetProperty("lightValue", out _));
    }

    [Fact]
    public void Parse_DataWithoutTimestamp_UsesTheRulesReceiveTime()
    {
        var reading = Parse(TestRecords.Envelope("lamp-1", "lamp-1", """{"lightValue":400}""")).Reading!;

        Assert.Equal(TestRecords.ReceivedAt, reading.Timestamp);
    }

    [Fact]
    public void Parse_DataIsoTimestampAndResource_TimestampConvertedResourceDropped()
    {
        var reading = Parse(TestRecords.Envelope("lamp-1", "lamp-1", """{"resource":"victim","t":1,"timestamp":"2025-11-28T00:00:00.250Z"}""")).Reading!;

        var ev = AsEvent(reading);
        Assert.Equal(1764288000250, reading.Timestamp);
        Assert.Equal("lamp-1", ev.GetProperty("resource").GetString());
        Assert.Equal(["resource", "timestamp", "t"], ev.EnumerateObject().Select(p => p.Name));
    }

    [Fact]
    public void Parse_NestedAndEscapedMeasurementsInData_CopiedVerbatim()
    {
        var reading = Parse(TestRecords.Envelope("d", "d", """{"pos":{"lat":50.8},"na\u006De":"Gent ✓","on":true}""")).Reading!;

        var body = WaylayRequestBody.Write([reading]);
        var ev = JsonDocument.Parse(body).RootElement[0];
        Assert.Equal(reading.EncodedLength + 2, body.Length);
        Assert.Equal(50.8, ev.GetProperty("pos").GetProperty("lat").GetDouble());
        Assert.Equal("Gent ✓", ev.GetProperty("name").GetString());
        Assert.True(ev.GetProperty("on").GetBoolean());
    }

    [Fact]
    public void Parse_DeviceIdDisagreesWithTheTopic_RejectedWithBothValuesAndFlaggedAsMismatch()
    {
        var result = Parse(TestRecords.Envelope("lamp-1", "lamp-2", """{"lightValue":400}"""));

        Assert.Null(result.Reading);
        Assert.True(result.DeviceIdMismatch);
        Assert.Equal(
            "envelope format: the payload's deviceID 'lamp-2' disagrees with 'lamp-1', the device id taken from the topic: " +
            "a spoof attempt or a misconfigured device, so it is delivered to no resource",
            result.RejectedReason);
    }

    [Fact]
    public void Parse_DeviceIdDiffersOnlyInCase_IsAMismatch()
    {
        Assert.True(Parse(TestRecords.Envelope("lamp-1", "Lamp-1", """{"lightValue":400}""")).DeviceIdMismatch);
    }

    [Fact]
    public void Parse_MismatchAndBadData_TheMismatchIsReported()
    {
        // Whoever sent it, the deviceID is the signal worth an alarm; the data of a spoof is not worth a reason.
        var result = Parse(TestRecords.Envelope("lamp-1", "lamp-2", """{"timestamp":"yesterday"}"""));

        Assert.True(result.DeviceIdMismatch);
    }

    [Theory]
    [InlineData("""{"deviceID":"d","deviceId":"d","receivedAt":5}""", "envelope format: body has no data (expected {\"deviceID\": \"<thing name>\", \"data\": {<measurements>}})")]
    [InlineData("""{"data":{"t":1},"deviceId":"d","receivedAt":5}""", "envelope format: body has no deviceID")]
    [InlineData("""{"deviceID":"d","data":[1],"deviceId":"d"}""", "envelope format: data must be a JSON object of measurements, got a JSON array")]
    [InlineData("""{"deviceID":"d","data":"x","deviceId":"d"}""", "envelope format: data must be a JSON object of measurements, got a JSON string")]
    [InlineData("""{"deviceID":7,"data":{"t":1},"deviceId":"d"}""", "envelope format: deviceID must be a string, got a JSON number")]
    [InlineData("""{"deviceID":null,"data":{"t":1},"deviceId":"d"}""", "envelope format: deviceID must be a string, got a JSON null")]
    [InlineData("""{"deviceID":"d","deviceID":"d","data":{"t":1},"deviceId":"d"}""", "envelope format: body has deviceID twice")]
    [InlineData("""{"deviceID":"d","data":{"t":1},"data":{"t":2},"deviceId":"d"}""", "envelope format: body has data twice")]
    [InlineData("""{"deviceID":"d","data":{"t":1},"lightValue":3,"deviceId":"d"}""", "envelope format: unexpected field 'lightValue' beside deviceID and data (measurements belong in data)")]
    [InlineData("""{"deviceID":"d","data":{"t":1},"timestamp":3,"deviceId":"d"}""", "envelope format: unexpected field 'timestamp'")]
    [InlineData("""{"lightValue":3,"deviceId":"d","receivedAt":5}""", "envelope format: unexpected field 'lightValue'")]
    [InlineData("""{"deviceID":"d","data":{},"deviceId":"d"}""", "envelope format: data has no measurement (a field other than timestamp and resource)")]
    [InlineData("""{"deviceID":"d","data":{"timestamp":1,"resource":"r"},"deviceId":"d"}""", "envelope format: data has no measurement")]
    [InlineData("""{"deviceID":"d","data":{"t":1,"timestamp":1.5},"deviceId":"d"}""", "envelope format: data.timestamp 1.5 is not Unix epoch milliseconds")]
    [InlineData("""{"deviceID":"d","data":{"t":1,"timestamp":"yesterday"},"deviceId":"d"}""", "envelope format: data.timestamp 'yesterday' is not an ISO 8601 date-time")]
    [InlineData("""{"deviceID":"d","data":{"t":1,"timestamp":1,"timestamp":2},"deviceId":"d"}""", "envelope format: data has timestamp twice")]
    public void Parse_BodyThatIsNoEnvelope_IsMalformedNamingTheFormat(string body, string reason)
    {
        var result = Parse(body);

        Assert.Null(result.Reading);
        Assert.Null(result.RejectedReason);
        Assert.StartsWith(reason, result.MalformedReason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"deviceID":"d","data":{"t":1}}""", "body has no deviceId")]
    [InlineData("""{"deviceID":"d","data":{"t":1},"deviceId":"d","receivedAt":"now"}""", "receivedAt must be Unix epoch milliseconds")]
    [InlineData("""{"deviceID":"d","data":{"t":1},"deviceId":"a b"}""", "deviceId 'a b' is not a thing name")]
    public void Parse_RuleFieldsBroken_ReasonIsTheRulesNotTheFormats(string body, string reason)
    {
        Assert.StartsWith(reason, Parse(body).MalformedReason, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_ClaimRuleRecord_IsStillRejectedAsAClaim()
    {
        var result = Parse("""{"topicDeviceId":"lamp-1","claimedDeviceId":"other","base64OriginalPayload":"e30="}""");

        Assert.False(result.DeviceIdMismatch);
        Assert.Contains("sets deviceId \"other\"", result.RejectedReason, StringComparison.Ordinal);
    }
}
