using System.Text;
using System.Text.Json;
using Queueing.Actuate.Api;

namespace Queueing.Actuate.Tests.Api;

public sealed class CommandRequestParserTests
{
    private readonly CommandRequestParser _parser = new(ttlDefaultSeconds: 300, ttlMaxSeconds: 3600);

    private (CommandRequest? Request, Problem? Problem) Parse(string body) => _parser.Parse(Encoding.UTF8.GetBytes(body));

    private Problem Refused(string body, int status = 400)
    {
        var (request, problem) = Parse(body);
        Assert.Null(request);
        Assert.NotNull(problem);
        Assert.Equal(status, problem.Status);
        return problem;
    }

    private static ProblemError Error(Problem problem, string pointer) => Assert.Single(problem.Errors, e => e.Pointer == pointer);

    [Fact]
    public void Parse_MinimalCommand_TakesDefaultTtlAndQos1()
    {
        var (request, problem) = Parse("""{"deviceId":"lamp-1","payload":{"lightStatus":"on"}}""");

        Assert.Null(problem);
        Assert.Equal(new CommandRequest("lamp-1", """{"lightStatus":"on"}""", 300, 1), request);
    }

    [Fact]
    public void Parse_AllFields_TakesThem()
    {
        var (request, _) = Parse("""{"qos":0,"ttlSeconds":60,"payload":[1],"deviceId":"a:b_c-D9"}""");
        Assert.Equal(new CommandRequest("a:b_c-D9", "[1]", 60, 0), request);
    }

    [Fact]
    public void Parse_Payload_KeptExactlyAsSent()
    {
        const string payload = "{ \"lightStatus\" :\n \"on\", \"z\": 1.50, \"a\": \"caf\\u00e9 ☕\" }";
        var (request, _) = Parse("{\"deviceId\":\"lamp-1\",\"payload\":" + payload + "}");
        Assert.Equal(payload, request!.PayloadJson);
    }

    [Theory]
    [InlineData("\"on\"")]
    [InlineData("42")]
    [InlineData("-0.5e3")]
    [InlineData("true")]
    [InlineData("null")]
    [InlineData("[]")]
    [InlineData("{}")]
    [InlineData("[{\"a\":[null]}]")]
    public void Parse_AnyJsonValueAsPayload_Accepted(string payload)
    {
        var (request, problem) = Parse("{\"deviceId\":\"lamp-1\",\"payload\":" + payload + "}");
        Assert.Null(problem);
        Assert.Equal(payload, request!.PayloadJson);
    }

    [Fact]
    public void Parse_MissingDeviceIdAndPayload_ReportsBoth()
    {
        var problem = Refused("{}");
        Assert.Equal("required", Error(problem, "#/deviceId").Detail);
        Assert.Contains("required", Error(problem, "#/payload").Detail);
    }

    [Theory]
    [InlineData("")]
    [InlineData("a/b")]
    [InlineData("devices/lamp-1/commands")]
    [InlineData("+")]
    [InlineData("#")]
    [InlineData("lamp-+")]
    [InlineData("$aws")]
    [InlineData("$aws/things/lamp-1/shadow/update")]
    [InlineData("lamp 1")]
    [InlineData("lamp.1")]
    [InlineData("lamp%2F1")]
    [InlineData("lämp")]
    [InlineData("lamp\n")]
    [InlineData("lamp\u0000")]
    [InlineData("ｌａｍｐ")]
    public void Parse_DeviceIdOutsideThingNameAlphabet_Refused(string deviceId)
    {
        var problem = Refused("{\"deviceId\":" + JsonSerializer.Serialize(deviceId) + ",\"payload\":1}");
        Assert.Contains("thing-name alphabet", Error(problem, "#/deviceId").Detail);
    }

    [Fact]
    public void Parse_DeviceIdOf129Characters_Refused()
    {
        Refused("{\"deviceId\":\"" + new string('a', 129) + "\",\"payload\":1}");
    }

    [Fact]
    public void Parse_DeviceIdOf128Characters_Accepted()
    {
        var id = new string('a', 64) + new string('Z', 60) + "0:_-";
        Assert.Equal(id, Parse("{\"deviceId\":\"" + id + "\",\"payload\":1}").Request!.DeviceId);
    }

    [Theory]
    [InlineData("42", "a number")]
    [InlineData("null", "null")]
    [InlineData("[\"lamp-1\"]", "an array")]
    [InlineData("{\"id\":\"lamp-1\"}", "an object")]
    [InlineData("true", "a boolean")]
    public void Parse_DeviceIdNotAString_Refused(string value, string kind)
    {
        var problem = Refused("{\"deviceId\":" + value + ",\"payload\":1}");
        Assert.Equal("must be a string, got " + kind, Error(problem, "#/deviceId").Detail);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("-1")]
    [InlineData("3601")]
    [InlineData("1.5")]
    [InlineData("1e2")]
    [InlineData("99999999999")]
    [InlineData("\"60\"")]
    [InlineData("true")]
    [InlineData("[60]")]
    public void Parse_TtlOutOfBoundsOrNotAnInteger_Refused(string ttl)
    {
        var problem = Refused("{\"deviceId\":\"lamp-1\",\"payload\":1,\"ttlSeconds\":" + ttl + "}");
        Assert.Contains("from 1 to 3600", Error(problem, "#/ttlSeconds").Detail);
    }

    [Theory]
    [InlineData("1", 1)]
    [InlineData("3600", 3600)]
    [InlineData("null", 300)]
    public void Parse_TtlWithinBoundsOrNull_Accepted(string ttl, int expected)
    {
        Assert.Equal(expected, Parse("{\"deviceId\":\"lamp-1\",\"payload\":1,\"ttlSeconds\":" + ttl + "}").Request!.TtlSeconds);
    }

    [Fact]
    public void Parse_ConfiguredBounds_AreTheOnesApplied()
    {
        var parser = new CommandRequestParser(ttlDefaultSeconds: 10, ttlMaxSeconds: 20);
        Assert.Equal(10, parser.Parse("{\"deviceId\":\"a\",\"payload\":1}"u8.ToArray()).Request!.TtlSeconds);
        Assert.Equal(400, parser.Parse("{\"deviceId\":\"a\",\"payload\":1,\"ttlSeconds\":21}"u8.ToArray()).Problem!.Status);
    }

    [Theory]
    [InlineData("2")]
    [InlineData("-1")]
    [InlineData("0.5")]
    [InlineData("\"1\"")]
    [InlineData("false")]
    public void Parse_QosNotZeroOrOne_Refused(string qos)
    {
        var problem = Refused("{\"deviceId\":\"lamp-1\",\"payload\":1,\"qos\":" + qos + "}");
        Assert.Contains("0 or 1", Error(problem, "#/qos").Detail);
    }

    [Theory]
    [InlineData("0", 0)]
    [InlineData("1", 1)]
    [InlineData("null", 1)]
    public void Parse_QosZeroOneOrNull_Accepted(string qos, int expected)
    {
        Assert.Equal(expected, Parse("{\"deviceId\":\"lamp-1\",\"payload\":1,\"qos\":" + qos + "}").Request!.Qos);
    }

    [Theory]
    [InlineData("topic", "#/topic")]
    [InlineData("DeviceId", "#/DeviceId")]
    [InlineData("retain", "#/retain")]
    [InlineData("a/b~c", "#/a~1b~0c")]
    [InlineData("caf\u00e9 x", "#/caf%C3%A9%20x")]
    public void Parse_UnknownField_RefusedWithItsPointer(string field, string pointer)
    {
        var problem = Refused("{\"deviceId\":\"lamp-1\",\"payload\":1," + JsonSerializer.Serialize(field) + ":\"x\"}");
        Assert.Contains("unknown field", Error(problem, pointer).Detail);
    }

    [Theory]
    [InlineData("{\"deviceId\":\"lamp-1\",\"deviceId\":\"lamp-2\",\"payload\":1}")]
    [InlineData("{\"deviceId\":\"lamp-1\",\"payload\":{\"lightStatus\":\"on\",\"lightStatus\":\"off\"}}")]
    [InlineData("{\"deviceId\":\"lamp-1\",\"payload\":1,\"payload\":2}")]
    public void Parse_DuplicateProperty_Refused(string body)
    {
        var problem = Refused(body);
        Assert.Equal("The body is not valid JSON.", problem.Detail);
        Assert.Contains("Duplicate", Error(problem, "#").Detail, StringComparison.OrdinalIgnoreCase);
    }

    [Theory]
    [InlineData("")]
    [InlineData("not json")]
    [InlineData("{\"deviceId\":\"lamp-1\",\"payload\":1")]
    [InlineData("{\"deviceId\":\"lamp-1\",\"payload\":1,}")]
    [InlineData("{\"deviceId\":\"lamp-1\",/*c*/\"payload\":1}")]
    [InlineData("{'deviceId':'lamp-1','payload':1}")]
    [InlineData("{\"deviceId\":\"lamp-1\",\"payload\":NaN}")]
    public void Parse_NotJson_Refused(string body)
    {
        Assert.Equal("The body is not valid JSON.", Refused(body).Detail);
    }

    [Theory]
    [InlineData("{\"deviceId\":\"lamp-1\",\"payload\":1,\"\\ud800\":1}")]
    [InlineData("{\"deviceId\":\"\\udc00\",\"payload\":1}")]
    public void Parse_EscapedLoneSurrogateInANameOrString_RefusedAsNotText(string body)
    {
        Assert.Equal("The body is not valid JSON text.", Refused(body).Detail);
    }

    [Fact]
    public void Parse_EscapedLoneSurrogateInsideThePayload_KeptAsSent()
    {
        Assert.Equal("\"\\ud800\"", Parse("{\"deviceId\":\"lamp-1\",\"payload\":\"\\ud800\"}").Request!.PayloadJson);
    }

    [Theory]
    [InlineData("[]", "an array")]
    [InlineData("\"lamp-1\"", "a string")]
    [InlineData("null", "null")]
    [InlineData("1", "a number")]
    public void Parse_NotAnObject_Refused(string body, string kind)
    {
        Assert.Equal("expected an object, got " + kind, Error(Refused(body), "#").Detail);
    }

    [Fact]
    public void Parse_PayloadNestedBeyond64Levels_Refused()
    {
        var payload = new string('[', 70) + new string(']', 70);
        Refused("{\"deviceId\":\"lamp-1\",\"payload\":" + payload + "}");
    }

    [Fact]
    public void Parse_PayloadOf128KiB_Accepted()
    {
        var payload = "\"" + new string('x', CommandRequestParser.MaxPayloadBytes - 2) + "\"";
        Assert.Equal(CommandRequestParser.MaxPayloadBytes, Parse("{\"deviceId\":\"lamp-1\",\"payload\":" + payload + "}").Request!.PayloadJson.Length);
    }

    [Fact]
    public void Parse_PayloadOneByteOver128KiB_Answers413()
    {
        var payload = "\"" + new string('x', CommandRequestParser.MaxPayloadBytes - 1) + "\"";
        var problem = Refused("{\"deviceId\":\"lamp-1\",\"payload\":" + payload + "}", 413);
        Assert.Contains("131073 bytes", problem.Detail);
        Error(problem, "#/payload");
    }

    [Fact]
    public void Parse_PayloadSizeCountsUtf8Bytes()
    {
        // 65 537 two-byte characters: under the limit in characters, over it in bytes.
        var payload = "\"" + new string('é', 65_537) + "\"";
        Refused("{\"deviceId\":\"lamp-1\",\"payload\":" + payload + "}", 413);
    }

    [Fact]
    public void Parse_BodyOverTheLimit_Answers413BeforeParsing()
    {
        var problem = Refused(new string('x', CommandRequestParser.MaxBodyBytes + 1), 413);
        Assert.Contains("at most " + CommandRequestParser.MaxBodyBytes, problem.Detail);
    }

    [Fact]
    public void Parse_RawNoncharacterSqsCannotCarry_Refused()
    {
        var problem = Refused("{\"deviceId\":\"lamp-1\",\"payload\":\"a\uFFFEb\"}");
        Assert.Contains("U+FFFE", Error(problem, "#/payload").Detail);
    }

    [Fact]
    public void Parse_EscapedNoncharacter_Accepted()
    {
        Assert.NotNull(Parse("{\"deviceId\":\"lamp-1\",\"payload\":\"a\\uFFFEb\"}").Request);
    }

    [Fact]
    public void Parse_SeveralProblems_ReportsEachWithItsPointer()
    {
        var problem = Refused("{\"deviceId\":\"a/b\",\"ttlSeconds\":0,\"qos\":2,\"topic\":\"x\"}");
        Assert.Equal(["#/topic", "#/deviceId", "#/ttlSeconds", "#/qos", "#/payload"], problem.Errors.Select(e => e.Pointer));
        Assert.Equal("The command has 5 problem(s); see errors.", problem.Detail);
    }

    [Fact]
    public void Parse_ThousandsOfUnknownFields_ReportsAtMostTwenty()
    {
        var fields = string.Join(',', Enumerable.Range(0, 5000).Select(i => $"\"f{i}\":{i}"));
        Assert.Equal(20, Refused("{" + fields + "}").Errors.Count);
    }

    // The exact texts a caller reads: each pins one message or limit (mutation testing found them unpinned).

    [Fact]
    public void Parse_EscapedLoneSurrogateAsFieldName_RefusedAsNotJsonText()
    {
        var problem = Refused("""{"deviceId":"lamp-1","payload":1,"\ud800":1}""");
        Assert.Equal("The body is not valid JSON text.", problem.Detail);
        Assert.Equal("#", Assert.Single(problem.Errors).Pointer);
    }

    [Fact]
    public void Parse_ThirtyUnknownFields_ReportsTwentyOfThemPlusTheMissingRequiredOnes()
    {
        var body = "{" + string.Join(',', Enumerable.Range(0, 30).Select(i => $"\"x{i}\":1")) + "}";

        var problem = Refused(body);

        Assert.Equal("The command has 22 problem(s); see errors.", problem.Detail);
        Assert.Equal(20, problem.Errors.Count);
    }

    [Fact]
    public void Parse_UnknownField_SaysWhichFieldsThereAre()
    {
        var problem = Refused("""{"deviceId":"lamp-1","payload":1,"topic":"x"}""");
        Assert.Equal("unknown field; the fields are deviceId, payload, ttlSeconds, qos", Error(problem, "#/topic").Detail);
    }

    [Fact]
    public void Parse_DeviceIdOutsideTheAlphabet_SaysTheRule()
    {
        var problem = Refused("""{"deviceId":"a/b","payload":1}""");
        Assert.Equal("must be " + Queueing.Contracts.Devices.ThingName.Rule, Error(problem, "#/deviceId").Detail);
    }

    [Fact]
    public void Parse_TtlOutOfRangeOrNotANumber_SaysTheRuleAndWhatCame()
    {
        var outOfRange = Refused("""{"deviceId":"lamp-1","payload":1,"ttlSeconds":0}""");
        var wrongType = Refused("""{"deviceId":"lamp-1","payload":1,"ttlSeconds":"60"}""");

        Assert.Equal("must be an integer from 1 to 3600 (seconds)", Error(outOfRange, "#/ttlSeconds").Detail);
        Assert.Equal("must be an integer from 1 to 3600 (seconds); got a string", Error(wrongType, "#/ttlSeconds").Detail);
    }

    [Fact]
    public void Parse_PayloadOverTheIotLimit_SaysTheLimit()
    {
        var problem = Refused("""{"deviceId":"lamp-1","payload":" """ + new string('x', CommandRequestParser.MaxPayloadBytes) + "\"}", status: 413);
        Assert.Equal($"at most {CommandRequestParser.MaxPayloadBytes} bytes as sent", Error(problem, "#/payload").Detail);
    }

    [Theory]
    [InlineData(64, 64)]
    [InlineData(65, 64)]
    public void Pointer_LongName_ShowsAtMost64Characters(int length, int shown)
    {
        Assert.Equal("#/" + new string('a', shown), CommandRequestParser.Pointer(new string('a', length)));
    }

    [Fact]
    public void Pointer_UnreservedCharacters_StayAsTheyAre()
    {
        Assert.Equal("#/a-b.c_d~0e~1f%20g", CommandRequestParser.Pointer("a-b.c_d~e/f g"));
    }

    [Theory]
    [InlineData(300, false)]
    [InlineData(301, true)]
    public void Shorten_LongerThan300Characters_CutWithAnEllipsis(int length, bool cut)
    {
        var shortened = CommandRequestParser.Shorten(new string('m', length));
        Assert.Equal(cut ? new string('m', 300) + "…" : new string('m', length), shortened);
    }
}
