using System.Text;
using Queueing.Emulators.IoT.Sql;

namespace Queueing.Local.Tests.IoT.Sql;

/// <summary>
/// The AWS IoT SQL subset as a table: statement x message -> output. Expected outputs follow the AWS IoT SQL
/// reference (SELECT, WHERE, operators, data types, functions, binary payloads pages); the doc's own examples are
/// marked "AWS example".
/// </summary>
public sealed class IotSqlTests
{
    // The template's two telemetry rules: exactly one of them fires for any JSON object payload.
    private const string Telemetry = "SELECT *, topic(2) AS deviceId, timestamp() AS receivedAt FROM 'devices/+/telemetry' WHERE isUndefined(deviceId) AND isUndefined(receivedAt)";
    private const string Claim = "SELECT topic(2) AS topicDeviceId, deviceId AS claimedDeviceId, receivedAt AS claimedReceivedAt, encode(*, 'base64') AS base64OriginalPayload FROM 'devices/+/telemetry' WHERE NOT isUndefined(deviceId) OR NOT isUndefined(receivedAt)";
    private const string Unguarded = "SELECT *, topic(2) AS deviceId, timestamp() AS receivedAt FROM 'devices/+/telemetry'";
    private const long Now = 1764288000123;
    private const string NoMatch = "NO MATCH";
    private const string Error = "ERROR";

    public static TheoryData<string, string, string, string?, string> Evaluations => new()
    {
        // The template's telemetry rule: payloads that set neither deviceId nor receivedAt.
        { Telemetry, "devices/lamp-1/telemetry", """{"lightValue":412,"timestamp":1764288000000}""", "lamp-1", """{"lightValue":412,"timestamp":1764288000000,"deviceId":"lamp-1","receivedAt":1764288000123}""" },
        { Telemetry, "devices/lamp-1/telemetry", """{"deviceId":"other","lightValue":1}""", "lamp-1", NoMatch },
        { Telemetry, "devices/lamp-1/telemetry", """{"receivedAt":1,"lightValue":1}""", "lamp-1", NoMatch },
        { Telemetry, "devices/lamp-1/telemetry", """{"deviceId":null,"lightValue":1}""", "lamp-1", NoMatch },
        { Telemetry, "devices/lamp-1/telemetry", """{"device\u0049d":"other","lightValue":1}""", "lamp-1", NoMatch },
        { Telemetry, "devices/lamp-1/telemetry", """{"DeviceId":"other","lightValue":1}""", "lamp-1", """{"DeviceId":"other","lightValue":1,"deviceId":"lamp-1","receivedAt":1764288000123}""" },
        { Telemetry, "devices/lamp-1/status", """{"lightValue":1}""", "lamp-1", NoMatch },
        { Telemetry, "devices/lamp-1/telemetry/extra", """{"lightValue":1}""", "lamp-1", NoMatch },
        { Telemetry, "devices/lamp-1/telemetry", "not json", "lamp-1", Error },
        { Telemetry, "devices/lamp-1/telemetry", "[1,2]", "lamp-1", Error },
        { Telemetry, "devices/lamp-1/telemetry", """{"name":"café","nested":{"a":[1,2.50]}}""", "lamp-1", """{"name":"café","nested":{"a":[1,2.50]},"deviceId":"lamp-1","receivedAt":1764288000123}""" },

        // The claim rule: the rest, with the topic's device id, the claims and the payload as sent.
        { Claim, "devices/lamp-1/telemetry", """{"deviceId":"other","lightValue":1}""", "lamp-1", $$"""{"topicDeviceId":"lamp-1","claimedDeviceId":"other","base64OriginalPayload":"{{Base64("""{"deviceId":"other","lightValue":1}""")}}"}""" },
        { Claim, "devices/lamp-1/telemetry", """{"receivedAt":5,"lightValue":1}""", "lamp-1", $$"""{"topicDeviceId":"lamp-1","claimedReceivedAt":5,"base64OriginalPayload":"{{Base64("""{"receivedAt":5,"lightValue":1}""")}}"}""" },
        { Claim, "devices/lamp-1/telemetry", """{"deviceId":null}""", "lamp-1", $$"""{"topicDeviceId":"lamp-1","claimedDeviceId":null,"base64OriginalPayload":"{{Base64("""{"deviceId":null}""")}}"}""" },
        { Claim, "devices/lamp-1/telemetry", """{"lightValue":1}""", "lamp-1", NoMatch },
        { Claim, "devices/lamp-1/telemetry", "not json", "lamp-1", NoMatch },

        // Two items of one name: AWS documents no precedence; locally the later item wins in the earlier place.
        { Unguarded, "devices/lamp-1/telemetry", """{"deviceId":"evil","lightValue":1}""", "lamp-1", """{"deviceId":"lamp-1","lightValue":1,"receivedAt":1764288000123}""" },

        // WHERE runs on the incoming payload before SELECT, never on SELECT's aliases (AWS WHERE clause page).
        { "SELECT color AS c FROM 't' WHERE isUndefined(c) AND color = 'red'", "t", """{"color":"red"}""", "c", """{"c":"red"}""" },
        { "SELECT 'x' AS color FROM 't' WHERE color = 'red'", "t", """{"color":"blue"}""", "c", NoMatch },

        // SELECT * alone passes any payload through as is (binary payloads).
        { "SELECT * FROM 'devices/#'", "devices/lamp-1/raw", "\u0001binary\u0002", "lamp-1", "\u0001binary\u0002" },
        { "SELECT * FROM 'devices/#'", "devices", "{}", "lamp-1", "{}" },
        { "SELECT * FROM 'a/b' WHERE topic(1) = 'a'", "a/b", "plain text", "c", "plain text" },
        { "SELECT * FROM '#'", "$aws/things/lamp-1/shadow/update", "{}", "c", NoMatch },
        // A WHERE on fields runs on a non-JSON payload too (fields are Undefined): the binary-payloads page's
        // "SELECT * FROM 'topic/subtopic' WHERE device_type = 'thermostat'".
        { "SELECT * FROM 'a/b' WHERE x = 1", "a/b", "plain text", "c", NoMatch },
        { "SELECT * FROM 'a/b' WHERE isUndefined(x)", "a/b", "plain text", "c", "plain text" },
        { "SELECT x FROM 'a/b' WHERE isUndefined(x)", "a/b", "plain text", "c", Error },

        // encode(*, 'base64'): the payload's bytes whatever they are (AWS binary-payloads example).
        { "SELECT encode(*, 'base64') AS data, timestamp() AS ts FROM 'a/b'", "a/b", "\u0001binary\u0002", "c", $$"""{"data":"{{Base64("\u0001binary\u0002")}}","ts":1764288000123}""" },
        { "SELECT encode(*, 'base64') AS data FROM 'a/b'", "a/b", "", "c", """{"data":""}""" },

        // AWS examples from the SELECT, WHERE and reference pages.
        { "SELECT color AS rgb FROM 'topic/subtopic' WHERE temperature > 50", "topic/subtopic", """{"color":"red","temperature":100}""", "c", """{"rgb":"red"}""" },
        { "SELECT color AS my_color FROM 'a/b' WHERE temperature > 50 AND color <> 'red'", "a/b", """{"color":"red","temperature":40}""", "c", NoMatch },
        { "SELECT *, 15 as speed FROM 'topic/subtopic'", "topic/subtopic", """{"color":"red","temperature":50}""", "c", """{"color":"red","temperature":50,"speed":15}""" },
        { "SELECT color as my_color, temperature as fahrenheit FROM 'topic/subtopic'", "topic/subtopic", """{"color":"red","temperature":50}""", "c", """{"my_color":"red","fahrenheit":50}""" },

        // Field paths, missing fields (Undefined is omitted), literals, functions.
        { "SELECT a.b AS x, a.b, a.c.d FROM 't'", "t", """{"a":{"b":1}}""", "c", """{"x":1,"b":1}""" },
        { "SELECT missing, color FROM 't'", "t", """{"color":"red"}""", "c", """{"color":"red"}""" },
        { "SELECT NULL AS n, true AS yes, 'txt' AS s, \"dq\" AS d, -1.5 AS neg FROM 't'", "t", "{}", "c", """{"n":null,"yes":true,"s":"txt","d":"dq","neg":-1.5}""" },
        { "SELECT topic() AS whole, topic(1) AS first, topic(3) AS third, topic(4) AS beyond FROM 'a/+/c'", "a/b/c", "{}", "c", """{"whole":"a/b/c","first":"a","third":"c"}""" },
        { "SELECT clientid() AS client, timestamp() AS ts FROM 't'", "t", "{}", "lamp-7", """{"client":"lamp-7","ts":1764288000123}""" },
        { "SELECT clientid() AS client FROM 't'", "t", "{}", null, """{"client":"n/a"}""" },
        { "SELECT a FROM 't'", "t", "[1]", "c", "{}" },

        // WHERE: only a Boolean true fires the rule; Undefined (missing fields, mismatched ordering) does not.
        { "SELECT * FROM 't' WHERE missing = 1", "t", "{}", "c", NoMatch },
        { "SELECT * FROM 't' WHERE NOT missing = 1", "t", "{}", "c", NoMatch },
        { "SELECT * FROM 't' WHERE missing <> 1", "t", "{}", "c", NoMatch },
        { "SELECT * FROM 't' WHERE level > 5", "t", """{"level":"7"}""", "c", """{"level":"7"}""" },
        { "SELECT * FROM 't' WHERE level > 5", "t", """{"level":"seven"}""", "c", NoMatch },
        { "SELECT * FROM 't' WHERE level = 7", "t", """{"level":"7"}""", "c", NoMatch },
        { "SELECT * FROM 't' WHERE level <> 7", "t", """{"level":"7"}""", "c", """{"level":"7"}""" },
        { "SELECT * FROM 't' WHERE v = 10", "t", """{"v":10.0}""", "c", """{"v":10.0}""" },
        { "SELECT * FROM 't' WHERE v >= -1.5 AND v < 1E2", "t", """{"v":-1.5}""", "c", """{"v":-1.5}""" },
        { "SELECT * FROM 't' WHERE (a = 1 OR b = 2) AND c = 3", "t", """{"a":0,"b":2,"c":3}""", "c", """{"a":0,"b":2,"c":3}""" },
        { "SELECT * FROM 't' WHERE a = 1 OR b = 2 AND c = 3", "t", """{"a":1,"b":0,"c":0}""", "c", """{"a":1,"b":0,"c":0}""" },
        { "SELECT * FROM 't' WHERE (a = 1 OR b = 2) AND c = 3", "t", """{"a":1,"b":0,"c":0}""", "c", NoMatch },
        { "SELECT * FROM 't' WHERE on = true", "t", """{"on":true}""", "c", """{"on":true}""" },
        { "SELECT * FROM 't' WHERE flag AND true", "t", """{"flag":"TRUE"}""", "c", """{"flag":"TRUE"}""" },
        { "SELECT * FROM 't' WHERE flag", "t", """{"flag":1}""", "c", NoMatch },
        { "SELECT * FROM 't' WHERE NOT flag", "t", """{"flag":false}""", "c", """{"flag":false}""" },
        { "SELECT * FROM 't' WHERE isNull(x)", "t", """{"x":null}""", "c", """{"x":null}""" },
        { "SELECT * FROM 't' WHERE isNull(x)", "t", "{}", "c", NoMatch },
        { "SELECT * FROM 't' WHERE isUndefined(x)", "t", "{}", "c", "{}" },
        { "SELECT * FROM 't' WHERE x = NULL", "t", """{"x":null}""", "c", """{"x":null}""" },
        { "SELECT * FROM 't' WHERE a = b", "t", """{"a":{"x":1,"y":[1,2]},"b":{"y":[1,2],"x":1}}""", "c", """{"a":{"x":1,"y":[1,2]},"b":{"y":[1,2],"x":1}}""" },
        { "SELECT * FROM 't' WHERE a = b", "t", """{"a":[1,2],"b":[2,1]}""", "c", NoMatch },
        { "SELECT * FROM 't' WHERE color = \"red\"", "t", """{"color":"red"}""", "c", """{"color":"red"}""" },
        { "select * from 't' where Color = 'red'", "t", """{"color":"red"}""", "c", NoMatch },
        { "select * from 't' where color = 'red'", "t", """{"color":"red"}""", "c", """{"color":"red"}""" },
        { "SELECT * FROM 'devices/+/telemetry' WHERE topic(2) = clientid()", "devices/lamp-1/telemetry", "{}", "lamp-2", NoMatch },
    };

    private static string Base64(string payload) => Convert.ToBase64String(Encoding.UTF8.GetBytes(payload));

    [Theory]
    [MemberData(nameof(Evaluations))]
    public void Evaluate_StatementOnMessage_GivesTheAwsOutput(string sql, string topic, string payload, string? clientId, string expected)
    {
        var statement = IotSqlParser.Parse("TestRule", sql, IotSqlParser.SupportedVersion);
        using var message = new SqlMessage(topic, Encoding.UTF8.GetBytes(payload), clientId, Now);

        var result = statement.Evaluate(message);

        switch (expected)
        {
            case NoMatch:
                Assert.Equal(SqlEvaluationKind.NoMatch, result.Kind);
                break;
            case Error:
                Assert.Equal(SqlEvaluationKind.Error, result.Kind);
                Assert.False(string.IsNullOrEmpty(result.Reason));
                break;
            default:
                Assert.Equal(SqlEvaluationKind.Output, result.Kind);
                Assert.Equal(expected, Encoding.UTF8.GetString(result.Payload.Span));
                break;
        }
    }

    public static TheoryData<string, string> Refusals => new()
    {
        { "SELECT upper(color) AS c FROM 'a'", "the function upper()" },
        { "SELECT * FROM 'a' WHERE x IS NULL", "IS [NOT] NULL" },
        { "SELECT * FROM 'a' WHERE x IS NOT NULL", "IS [NOT] NULL" },
        { "SELECT CASE x WHEN 1 THEN 'one' END AS y FROM 'a'", "a CASE expression" },
        { "SELECT (SELECT a FROM b) AS y FROM 'a'", "a nested SELECT" },
        { "SET @x = 1 SELECT * FROM 'a'", "a SET clause (variables)" },
        { "SELECT a + 1 AS b FROM 'a'", "the arithmetic operator '+'" },
        { "SELECT * FROM 'a' WHERE a % 2 = 0", "the arithmetic operator '%'" },
        { "SELECT VALUE a FROM 'a'", "SELECT VALUE" },
        { "SELECT DISTINCT a FROM 'a'", "SELECT DISTINCT" },
        { "SELECT a[0] AS b FROM 'a'", "array indexing ([n])" },
        { "SELECT [1, 2] AS b FROM 'a'", "an array literal" },
        { "SELECT {'a': 1} AS b FROM 'a'", "an object literal" },
        { "SELECT * FROM 'a' WHERE a != 1", "the operator '!='" },
        { "SELECT topic(0) AS t FROM 'a'", "topic() with an argument other than a whole number from 1" },
        { "SELECT topic(x) AS t FROM 'a'", "topic() with an argument other than a whole number from 1" },
        { "SELECT timestamp() FROM 'a'", "a computed SELECT item without an alias" },
        { "SELECT 1 FROM 'a'", "a computed SELECT item without an alias" },
        { "SELECT * FROM 'a' -- all of it", "a comment" },
        { "SELECT * FROM 'a' WHERE a IN (1, 2)", "the IN operator" },
        { "SELECT * FROM 'a' WHERE a LIKE 'x%'", "the LIKE operator" },
        { "SELECT * FROM 'a' ORDER BY x", "ORDER here" },
        { "SELECT a.* FROM 'a'", "'.*' on a field" },
        { "SELECT `my field` FROM 'a'", "a backtick-quoted name" },
        { "SELECT encode(color, 'base64') AS e FROM 'a'", "encode() of anything but * (the whole payload)" },
    };

    [Theory]
    [MemberData(nameof(Refusals))]
    public void Parse_UnsupportedConstruct_IsRefusedNamingRuleAndConstruct(string sql, string construct)
    {
        var error = Assert.Throws<IotSqlException>(() => IotSqlParser.Parse("TelemetryRule", sql, IotSqlParser.SupportedVersion));

        Assert.Equal(construct, error.Construct);
        Assert.Equal("TelemetryRule", error.RuleName);
        Assert.Contains("Topic rule 'TelemetryRule'", error.Message, StringComparison.Ordinal);
        Assert.Contains(construct, error.Message, StringComparison.Ordinal);
    }

    public static TheoryData<string, string> SyntaxErrors => new()
    {
        { "SELECT FROM 'a'", "expected an expression" },
        { "SELECT * FROM a/b", "expected a quoted topic filter" },
        { "SELECT * FROM 'a/#/b'", "'#' other than as the whole last level" },
        { "SELECT * FROM 'a/b+'", "'+' other than as a whole level" },
        { "SELECT * 'a'", "expected ',' or FROM" },
        { "SELECT * FROM 'a' WHERE", "expected an expression but the statement ended" },
        { "SELECT * FROM 'a' WHERE (a = 1", "expected ')'" },
        { "SELECT * FROM 'a' WHERE a = 'open", "is not closed" },
        { "SELECT *, * FROM 'a'", "'*' appears twice" },
        { "SELECT a AS FROM FROM 'a'", "expected a name after AS" },
        { "SELECT * FROM 'a' extra", "unexpected 'extra'" },
        { "SELECT timestamp(1) AS t FROM 'a'", "expected ')' to close timestamp(" },
        { "SELECT encode(*, 'hex') AS e FROM 'a'", "encode() takes the encoding scheme 'base64'" },
        { "SELECT encode(*) AS e FROM 'a'", "expected ',' and the encoding scheme" },
    };

    [Theory]
    [MemberData(nameof(SyntaxErrors))]
    public void Parse_InvalidSql_IsASyntaxErrorWithPosition(string sql, string problem)
    {
        var error = Assert.Throws<IotSqlException>(() => IotSqlParser.Parse("TelemetryRule", sql, IotSqlParser.SupportedVersion));

        Assert.Null(error.Construct);
        Assert.Contains(problem, error.Message, StringComparison.Ordinal);
        Assert.InRange(error.Position, 0, sql.Length);
    }

    [Theory]
    [InlineData(null, "SQL version '2015-10-08'")]
    [InlineData("2015-10-08", "SQL version '2015-10-08'")]
    [InlineData("beta", "SQL version 'beta'")]
    public void Parse_OtherSqlVersion_IsRefusedWithTheFix(string? version, string construct)
    {
        var error = Assert.Throws<IotSqlException>(() => IotSqlParser.Parse("TelemetryRule", "SELECT * FROM 'a'", version));

        Assert.Equal(construct, error.Construct);
        Assert.Contains("Set AwsIotSqlVersion to '2016-03-23'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_TelemetryRule_ExposesItsTopicFilter()
    {
        var statement = IotSqlParser.Parse("TelemetryRule", Telemetry, IotSqlParser.SupportedVersion);

        Assert.Equal("devices/+/telemetry", statement.TopicFilter);
        Assert.True(statement.MatchesTopic("devices/x/telemetry"));
        Assert.False(statement.MatchesTopic("devices/x/commands"));
    }
}
