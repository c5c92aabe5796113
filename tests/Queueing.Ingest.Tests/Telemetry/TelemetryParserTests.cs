using System.Text;
using System.Text.Json;
using Queueing.Contracts.Devices;
using Queueing.Contracts.Events;
using Queueing.Ingest.Telemetry;
using Queueing.Ingest.Tests.Support;
using Queueing.Ingest.Waylay;

namespace Queueing.Ingest.Tests.Telemetry;

public sealed class TelemetryParserTests
{
    private readonly TelemetryParser _parser = new(1024);

    private TelemetryReading Valid(string body)
    {
        var result = _parser.Parse(TestRecords.Record(body), 0);
        Assert.Null(result.MalformedReason);
        return result.Reading!;
    }

    private string Malformed(string body)
    {
        var result = _parser.Parse(TestRecords.Record(body), 0);
        Assert.Null(result.Reading);
        Assert.Null(result.RejectedReason);
        return result.MalformedReason!;
    }

    private string Rejected(string body)
    {
        var result = _parser.Parse(TestRecords.Record(body), 0);
        Assert.Null(result.Reading);
        Assert.Null(result.MalformedReason);
        return result.RejectedReason!;
    }

    /// <summary>The reading as the Waylay event it becomes.</summary>
    private static JsonElement AsEvent(TelemetryReading reading) =>
        JsonDocument.Parse(WaylayRequestBody.Write([reading])).RootElement[0];

    [Fact]
    public void Parse_RuleOutput_MapsToResourceEventWithPayloadTimestamp()
    {
        var reading = Valid("{\"lightValue\":412,\"timestamp\":1764288000000,\"deviceId\":\"lamp-1\",\"receivedAt\":1764288000123}");

        Assert.Equal("lamp-1", reading.Resource);
        Assert.Equal(1764288000000, reading.Timestamp);
        var ev = AsEvent(reading);
        Assert.Equal("lamp-1", ev.GetProperty("resource").GetString());
        Assert.Equal(1764288000000, ev.GetProperty("timestamp").GetInt64());
        Assert.Equal(412, ev.GetProperty("lightValue").GetInt32());
        Assert.False(ev.TryGetProperty("deviceId", out _));
        Assert.False(ev.TryGetProperty("receivedAt", out _));
        Assert.Equal(3, ev.EnumerateObject().Count());
    }

    [Fact]
    public void Parse_PayloadResourceField_IsDroppedAndTopicDeviceIdWins()
    {
        var reading = Valid("{\"resource\":\"someone-else\",\"temp\":21.5,\"deviceId\":\"lamp-1\",\"receivedAt\":1764288000123}");

        var ev = AsEvent(reading);
        Assert.Equal("lamp-1", reading.Resource);
        Assert.Equal("lamp-1", ev.GetProperty("resource").GetString());
        Assert.Single(ev.EnumerateObject(), p => p.Name == "resource");
    }

    [Fact]
    public void Parse_NoPayloadTimestamp_UsesReceivedAt()
    {
        Assert.Equal(1764288000123, Valid("{\"temp\":1,\"deviceId\":\"d\",\"receivedAt\":1764288000123}").Timestamp);
    }

    [Fact]
    public void Parse_NeitherTimestampNorReceivedAt_UsesSqsSentTimestamp()
    {
        Assert.Equal(1764288000200, Valid("{\"temp\":1,\"deviceId\":\"d\"}").Timestamp);
    }

    [Fact]
    public void Parse_NoTimeAnywhere_IsMalformed()
    {
        var record = TestRecords.Record("{\"temp\":1,\"deviceId\":\"d\"}");
        record.Attributes.Remove(SqsAttributeNames.SentTimestamp);

        Assert.StartsWith("no event time", _parser.Parse(record, 0).MalformedReason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("2025-11-28T00:00:00Z", 1764288000000)]
    [InlineData("2025-11-28T00:00:00.250Z", 1764288000250)]
    [InlineData("2025-11-28T01:00:00+01:00", 1764288000000)]
    [InlineData("2025-11-28T00:00:00", 1764288000000)]
    public void Parse_IsoTimestamp_BecomesUnixMilliseconds(string iso, long expected)
    {
        var reading = Valid($"{{\"temp\":1,\"timestamp\":\"{iso}\",\"deviceId\":\"d\",\"receivedAt\":1}}");

        Assert.Equal(expected, reading.Timestamp);
        Assert.Equal(expected, AsEvent(reading).GetProperty("timestamp").GetInt64());
    }

    [Fact]
    public void Parse_NestedAndEscapedMeasurements_CopiedVerbatim()
    {
        const string body = "{\"pos\":{\"lat\":50.8,\"tags\":[1,\"a\\\"b\"]},\"na\\u006De\":\"x\\ny\",\"on\":true,\"off\":null,\"deviceId\":\"d\",\"receivedAt\":5}";

        var ev = AsEvent(Valid(body));

        Assert.Equal(50.8, ev.GetProperty("pos").GetProperty("lat").GetDouble());
        Assert.Equal("a\"b", ev.GetProperty("pos").GetProperty("tags")[1].GetString());
        Assert.Equal("x\ny", ev.GetProperty("name").GetString());
        Assert.True(ev.GetProperty("on").GetBoolean());
        Assert.Equal(JsonValueKind.Null, ev.GetProperty("off").ValueKind);
    }

    [Fact]
    public void Parse_MultiByteCharacters_EncodedLengthMatchesWrittenBytes()
    {
        var reading = Valid("{\"naam\":\"Gent ✓ 🌡\",\"deviceId\":\"d\",\"receivedAt\":5}");

        var body = WaylayRequestBody.Write([reading]);

        Assert.Equal(reading.EncodedLength + 2, body.Length);
        Assert.Equal("Gent ✓ 🌡", JsonDocument.Parse(body).RootElement[0].GetProperty("naam").GetString());
    }

    [Theory]
    [InlineData("not json", "body is not valid JSON")]
    [InlineData("{\"temp\":1,\"deviceId\":\"d\"", "body is not valid JSON")]
    [InlineData("{\"temp\":1,\"deviceId\":\"d\"} trailing", "body is not valid JSON")]
    [InlineData("[{\"temp\":1,\"deviceId\":\"d\"}]", "body is a JSON array; expected an object")]
    [InlineData("\"text\"", "body is a JSON string; expected an object")]
    [InlineData("42", "body is a JSON number; expected an object")]
    [InlineData("null", "body is a JSON null; expected an object")]
    [InlineData("", "body is empty; expected a JSON object")]
    [InlineData("   ", "body is empty; expected a JSON object")]
    [InlineData("{\"temp\":1,\"receivedAt\":5}", "body has no deviceId")]
    [InlineData("{\"temp\":1,\"deviceId\":7}", "deviceId must be a string, got a JSON number")]
    [InlineData("{\"temp\":1,\"deviceId\":\"\"}", "deviceId '' is not a thing name")]
    [InlineData("{\"temp\":1,\"deviceId\":\"lamp/1\"}", "deviceId 'lamp/1' is not a thing name")]
    [InlineData("{\"temp\":1,\"deviceId\":\"lamp 1\"}", "deviceId 'lamp 1' is not a thing name")]
    [InlineData("{\"temp\":1,\"deviceId\":\"a\",\"deviceId\":\"b\"}", "body has deviceId twice")]
    [InlineData("{\"deviceId\":\"d\",\"receivedAt\":5,\"timestamp\":6,\"resource\":\"r\"}", "flat format: body has no measurement")]
    [InlineData("{\"deviceId\":\"d\"}", "flat format: body has no measurement")]
    [InlineData("{\"temp\":1,\"deviceId\":\"d\",\"timestamp\":1.5}", "flat format: timestamp 1.5 is not Unix epoch milliseconds")]
    [InlineData("{\"temp\":1,\"deviceId\":\"d\",\"timestamp\":-1}", "flat format: timestamp -1 is not Unix epoch milliseconds")]
    [InlineData("{\"temp\":1,\"deviceId\":\"d\",\"timestamp\":\"yesterday\"}", "flat format: timestamp 'yesterday' is not an ISO 8601 date-time")]
    [InlineData("{\"temp\":1,\"deviceId\":\"d\",\"timestamp\":true}", "flat format: timestamp must be Unix epoch milliseconds or an ISO 8601 string, got a JSON boolean")]
    [InlineData("{\"temp\":1,\"deviceId\":\"d\",\"timestamp\":1,\"timestamp\":2}", "flat format: body has timestamp twice")]
    [InlineData("{\"temp\":1,\"deviceId\":\"d\",\"receivedAt\":\"now\"}", "receivedAt must be Unix epoch milliseconds")]
    [InlineData("{\"temp\":1,\"deviceId\":\"d\",\"receivedAt\":1e3}", "receivedAt 1e3 is not Unix epoch milliseconds")]
    public void Parse_BadBody_IsMalformedWithPreciseReason(string body, string reason)
    {
        Assert.StartsWith(reason, Malformed(body), StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_InvalidJson_ReasonSaysWhere()
    {
        Assert.Contains("BytePositionInLine", Malformed("{\"temp\":,\"deviceId\":\"d\"}"), StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_BodyOverLimit_IsMalformedBeforeParsing()
    {
        var body = "{\"pad\":\"" + new string('x', 1100) + "\",\"deviceId\":\"d\"}";

        Assert.Equal($"body is {Encoding.UTF8.GetByteCount(body)} bytes, over the 1024-byte limit (MAX_TELEMETRY_BYTES)", Malformed(body));
    }

    [Fact]
    public void Parse_BodyAtLimit_IsAccepted()
    {
        var prefix = "{\"deviceId\":\"d\",\"pad\":\"";
        var body = prefix + new string('x', 1024 - prefix.Length - 2) + "\"}";
        Assert.Equal(1024, Encoding.UTF8.GetByteCount(body));

        Assert.Equal("d", Valid(body).Resource);
    }

    [Fact]
    public void Parse_LimitCountsUtf8Bytes_NotCharacters()
    {
        // 400 three-byte characters: 400 chars but 1200 bytes.
        var body = "{\"deviceId\":\"d\",\"t\":\"" + new string('✓', 400) + "\"}";

        Assert.StartsWith("body is 1", Malformed(body), StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_ManyMeasurements_AllKeptInOrder()
    {
        var fields = string.Join(",", Enumerable.Range(0, 40).Select(i => $"\"m{i}\":{i}"));

        var ev = AsEvent(Valid("{" + fields + ",\"deviceId\":\"d\",\"receivedAt\":5}"));

        Assert.Equal(["resource", "timestamp", .. Enumerable.Range(0, 40).Select(i => $"m{i}")], ev.EnumerateObject().Select(p => p.Name));
    }

    [Fact]
    public void Parse_ClaimRuleOutput_IsRejectedNamingTheClaimAndTheTopicDevice()
    {
        // What TelemetryClaimRule produces for {"deviceId":"other","lightValue":1} published on devices/lamp-1/telemetry.
        var body = """{"topicDeviceId":"lamp-1","claimedDeviceId":"other","base64OriginalPayload":"eyJkZXZpY2VJZCI6Im90aGVyIiwibGlnaHRWYWx1ZSI6MX0="}""";

        var reason = Rejected(body);

        Assert.Contains("device 'lamp-1'", reason, StringComparison.Ordinal);
        Assert.Contains("sets deviceId \"other\";", reason, StringComparison.Ordinal);
        Assert.Contains("delivered to no resource", reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"topicDeviceId":"lamp-1","claimedReceivedAt":5,"base64OriginalPayload":""}""", "sets receivedAt 5;")]
    [InlineData("""{"topicDeviceId":"lamp-1","claimedDeviceId":{"id":"x"},"claimedReceivedAt":"now","base64OriginalPayload":""}""", "sets deviceId {\"id\":\"x\"} and receivedAt \"now\";")]
    [InlineData("""{"topicDeviceId":"lamp-1","claimedDeviceId":null,"base64OriginalPayload":""}""", "sets deviceId null;")]
    public void Parse_ClaimOfAnyJsonValue_IsRejectedQuotingIt(string body, string expected)
    {
        Assert.Contains(expected, Rejected(body), StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_ClaimFieldNamesBesideARuleDeviceId_AreMeasurementsOfThatDevice()
    {
        // The telemetry rule's output always has deviceId; a device's own fields of these names change nothing.
        var reading = Valid("""{"topicDeviceId":"lamp-9","claimedDeviceId":"x","lightValue":1,"deviceId":"lamp-1","receivedAt":5}""");

        Assert.Equal("lamp-1", reading.Resource);
        Assert.Equal("lamp-9", AsEvent(reading).GetProperty("topicDeviceId").GetString());
    }

    [Theory]
    [InlineData("""{"claimedDeviceId":"other","lightValue":1}""")]
    [InlineData("""{"topicDeviceId":7,"claimedDeviceId":"other"}""")]
    public void Parse_NoDeviceIdAndNoTopicDeviceIdString_IsStillMalformed(string body)
    {
        Assert.StartsWith("body has no deviceId", Malformed(body), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("a", true)]
    [InlineData("Lamp_1:kitchen-2", true)]
    [InlineData("", false)]
    [InlineData("a.b", false)]
    [InlineData("é", false)]
    public void ThingName_IsValid_FollowsThingNameAlphabet(string value, bool valid)
    {
        Assert.Equal(valid, ThingName.IsValid(value));
    }

    [Fact]
    public void ThingName_IsValid_LengthLimitIs128()
    {
        Assert.True(ThingName.IsValid(new string('a', 128)));
        Assert.False(ThingName.IsValid(new string('a', 129)));
    }

    [Fact]
    public void Parse_OneBatch_GivesOneStringPerDistinctDevice()
    {
        var first = Valid(TestRecords.Telemetry("lamp-1", 1));
        var other = Valid(TestRecords.Telemetry("lamp-2", 2));
        var again = Valid(TestRecords.Telemetry("lamp-1", 3));

        Assert.Same(first.Resource, again.Resource);
        Assert.Equal("lamp-2", other.Resource);
        Assert.Equal("lamp-1", AsEvent(again).GetProperty("resource").GetString());
    }

    [Fact]
    public void Parse_EscapedDeviceId_IsUnescapedAndChecked()
    {
        Assert.Equal("lamp-1", Valid("{\"t\":1,\"deviceId\":\"lamp\\u002D1\"}").Resource);
        Assert.Contains("is not a thing name", Malformed("{\"t\":1,\"deviceId\":\"lamp\\u0020 1\"}"), StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_RecordAfterALargerOne_HasOnlyItsOwnFields()
    {
        // The parser reuses one field list from record to record.
        Valid("{\"a\":1,\"b\":2,\"c\":3,\"d\":4,\"e\":5,\"deviceId\":\"lamp-1\",\"receivedAt\":7}");

        var ev = AsEvent(Valid("{\"only\":9,\"deviceId\":\"lamp-2\",\"receivedAt\":8}"));

        Assert.Equal(["resource", "timestamp", "only"], ev.EnumerateObject().Select(p => p.Name));
    }
}
