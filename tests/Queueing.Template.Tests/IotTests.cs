using System.Text.Json.Nodes;
using Queueing.Template.Tests.Support;

namespace Queueing.Template.Tests;

public sealed class IotTests
{
    private const string Iot = IotArns.Prefix;
    private const string ThingName = IotArns.ThingName;

    private readonly ServerlessTemplate _template = ServerlessTemplate.Current;

    // Exactly one of the two rules fires for a JSON object payload: the WHERE clauses are complements, and AWS IoT
    // evaluates WHERE on the incoming payload, before SELECT and without its aliases (AWS IoT SQL reference, WHERE).
    // commandEvent is reserved like deviceId and receivedAt: only CommandAckRule and the command publisher set it.
    private const string Accepted = "WHERE isUndefined(deviceId) AND isUndefined(receivedAt) AND isUndefined(commandEvent)";
    private const string Claimed = "WHERE NOT isUndefined(deviceId) OR NOT isUndefined(receivedAt) OR NOT isUndefined(commandEvent)";

    [Fact]
    public void TelemetryRule_Sql_TakesOnlyPayloadsThatSetNeitherDeviceIdNorReceivedAt()
    {
        var payload = Evaluator().ResolvedProperties("TelemetryRule")!["TopicRulePayload"]!;

        // With the WHERE, "*" never brings a deviceId or receivedAt of its own: whatever precedence AWS gives "*"
        // and an alias of the same name, the payload cannot name the resource or the receive time.
        Assert.Equal($"SELECT *, topic(2) AS deviceId, timestamp() AS receivedAt FROM 'devices/+/telemetry' {Accepted}", payload["Sql"]!.GetValue<string>());
        Assert.Equal("2016-03-23", payload["AwsIotSqlVersion"]!.GetValue<string>());
        Assert.False(payload["RuleDisabled"]!.GetValue<bool>());

        var custom = Evaluator(("TelemetryTopicFilter", "plant/+/data/json")).ResolvedProperties("TelemetryRule")!["TopicRulePayload"]!;
        Assert.Equal($"SELECT *, topic(2) AS deviceId, timestamp() AS receivedAt FROM 'plant/+/data/json' {Accepted}", custom["Sql"]!.GetValue<string>());
    }

    [Fact]
    public void TelemetryClaimRule_Sql_TakesTheRestWithoutADeviceIdAndKeepsThePayload()
    {
        var payload = Evaluator().ResolvedProperties("TelemetryClaimRule")!["TopicRulePayload"]!;

        // No "*" and no deviceId in the output: the ingest function parks it as rejected, naming both ids; the payload
        // travels as base64, byte for byte.
        Assert.Equal(
            "SELECT topic(2) AS topicDeviceId, deviceId AS claimedDeviceId, receivedAt AS claimedReceivedAt, commandEvent AS claimedCommandEvent, " +
            $"encode(*, 'base64') AS base64OriginalPayload FROM 'devices/+/telemetry' {Claimed}",
            payload["Sql"]!.GetValue<string>());
        Assert.Equal("2016-03-23", payload["AwsIotSqlVersion"]!.GetValue<string>());
        Assert.False(payload["RuleDisabled"]!.GetValue<bool>());

        var custom = Evaluator(("TelemetryTopicFilter", "plant/+/data/json")).ResolvedProperties("TelemetryClaimRule")!["TopicRulePayload"]!;
        Assert.EndsWith($"FROM 'plant/+/data/json' {Claimed}", custom["Sql"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public void CommandAckRule_Sql_MarksTheRecordAnAckWithTheTopicsDeviceIdAndOnlyTheBase64Payload()
    {
        var payload = Evaluator().ResolvedProperties("CommandAckRule")!["TopicRulePayload"]!;

        // No "*": the device's bytes never stand beside the rule's fields (a payload cannot claim another device or
        // another commandEvent), and a payload that is not JSON still arrives, to be parked with its reason.
        Assert.Equal(
            "SELECT 'ack' AS commandEvent, topic(2) AS deviceId, timestamp() AS receivedAt, encode(*, 'base64') AS base64OriginalPayload FROM 'devices/+/commands/ack'",
            payload["Sql"]!.GetValue<string>());
        Assert.Equal("2016-03-23", payload["AwsIotSqlVersion"]!.GetValue<string>());
        Assert.False(payload["RuleDisabled"]!.GetValue<bool>());

        var custom = Evaluator(("CommandAckTopicFilter", "plant/+/cmd/ack")).ResolvedProperties("CommandAckRule")!["TopicRulePayload"]!;
        Assert.EndsWith("FROM 'plant/+/cmd/ack'", custom["Sql"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal("queueing_prod_CommandAckRule", TemplateEvaluator.ForStack(_template, "queueing-prod").EvaluateString(_template.Properties("CommandAckRule")["RuleName"]));
    }

    [Fact]
    public void CommandAckTopicFilter_Parameter_HasTheTelemetryFiltersShapeRules()
    {
        var ack = _template.Parameter("CommandAckTopicFilter");
        var telemetry = _template.Parameter("TelemetryTopicFilter");

        Assert.Equal("devices/+/commands/ack", ack["Default"]!.GetValue<string>());
        Assert.Equal(telemetry["AllowedPattern"]!.GetValue<string>(), ack["AllowedPattern"]!.GetValue<string>());
        Assert.Matches(ack["AllowedPattern"]!.GetValue<string>(), "devices/+/commands/ack");
        Assert.DoesNotMatch(ack["AllowedPattern"]!.GetValue<string>(), "devices/commands/+/ack");
        Assert.DoesNotMatch(ack["AllowedPattern"]!.GetValue<string>(), "devices/+/commands/#");
    }

    [Fact]
    public void CommandAckTopicFilter_SameAsTheTelemetryFilter_IsRefusedBeforeDeploying()
    {
        Assert.True(Evaluator().RuleHolds("AckTopicIsNotTheTelemetryTopic"));
        Assert.False(Evaluator(("CommandAckTopicFilter", "devices/+/telemetry")).RuleHolds("AckTopicIsNotTheTelemetryTopic"));
    }

    [Fact]
    public void TopicRules_AreTheTelemetryRulesTheAckRuleAndTheLegacyRuleOnlyWithALegacyTopic()
    {
        Assert.Equal(["CommandAckRule", "LegacyTelemetryRule", "TelemetryClaimRule", "TelemetryRule"], _template.ResourcesOfType("AWS::IoT::TopicRule").Order());
        Assert.Equal("HasLegacyTelemetryTopic", _template.Resource("LegacyTelemetryRule")["Condition"]!.GetValue<string>());
        Assert.False(Evaluator().Condition("HasLegacyTelemetryTopic"));
        Assert.True(Evaluator(("LegacyTelemetryTopicFilter", "sensors/light")).Condition("HasLegacyTelemetryTopic"));
    }

    [Theory]
    [InlineData("TelemetryRule")]
    [InlineData("TelemetryClaimRule")]
    [InlineData("LegacyTelemetryRule")]
    [InlineData("CommandAckRule")]
    public void TelemetryRules_Actions_SendJsonToIngestQueueAndFailuresToTheErrorQueue(string rule)
    {
        var payload = _template.Properties(rule)["TopicRulePayload"]!;

        var action = Assert.Single(payload["Actions"]!.AsArray())!["Sqs"]!;
        Assert.Equal("IngestQueue", ServerlessTemplate.RefTarget(action["QueueUrl"]));
        Assert.Equal("TelemetryRuleRole", ServerlessTemplate.GetAttTarget(action["RoleArn"], "Arn"));
        // The ingest function reads the body as JSON; base64 would make every message malformed.
        Assert.False(action["UseBase64"]?.GetValue<bool>() ?? false);

        var error = payload["ErrorAction"]!["Sqs"]!;
        Assert.Equal("TelemetryRuleErrors", ServerlessTemplate.RefTarget(error["QueueUrl"]));
        Assert.Equal("TelemetryRuleErrorRole", ServerlessTemplate.GetAttTarget(error["RoleArn"], "Arn"));
    }

    [Fact]
    public void DevicePolicy_Defaults_ConfineADeviceToItsThingNameAndItsOwnTopics()
    {
        var statements = DevicePolicy(Evaluator());

        Assert.Equal(
            new Dictionary<string, string>
            {
                ["ConnectAsOwnThingName"] = $"iot:Connect {Iot}:client/{ThingName}",
                ["PublishOwnTelemetry"] = $"iot:Publish {Iot}:topic/devices/{ThingName}/telemetry",
                ["PublishOwnCommandAcks"] = $"iot:Publish {Iot}:topic/devices/{ThingName}/commands/ack",
                ["SubscribeOwnCommands"] = $"iot:Subscribe {Iot}:topicfilter/devices/{ThingName}/commands",
                ["ReceiveOwnCommands"] = $"iot:Receive {Iot}:topic/devices/{ThingName}/commands",
            },
            statements);
    }

    [Fact]
    public void DevicePolicy_OtherTopicParameters_FollowsThem()
    {
        var statements = DevicePolicy(Evaluator(
            ("TelemetryTopicFilter", "plant/+/data/json"), ("CommandTopicTemplate", "{deviceId}/in"), ("CommandAckTopicFilter", "plant/+/in/ack/v1")));

        Assert.Equal($"iot:Publish {Iot}:topic/plant/{ThingName}/data/json", statements["PublishOwnTelemetry"]);
        Assert.Equal($"iot:Publish {Iot}:topic/plant/{ThingName}/in/ack/v1", statements["PublishOwnCommandAcks"]);
        Assert.Equal($"iot:Subscribe {Iot}:topicfilter/{ThingName}/in", statements["SubscribeOwnCommands"]);
        Assert.Equal($"iot:Receive {Iot}:topic/{ThingName}/in", statements["ReceiveOwnCommands"]);
    }

    [Fact]
    public void DevicePolicy_Connect_RequiresTheCertificateToBeAttachedToTheThing()
    {
        var connect = Evaluator().ResolvedProperties("DevicePolicy")!["PolicyDocument"]!["Statement"]!.AsArray()
            .Single(s => s!["Action"]!.GetValue<string>() == "iot:Connect")!;

        Assert.Equal("true", connect["Condition"]!["Bool"]!["iot:Connection.Thing.IsAttached"]!.GetValue<string>());
    }

    [Fact]
    public void DevicePolicy_TopicsForAThing_AreTheTopicsTheRuleAndPublisherUse()
    {
        const string device = "lamp-1";
        var evaluator = Evaluator();
        var statements = DevicePolicy(evaluator);

        string TopicOf(string sid, string action) =>
            statements[sid].Replace(ThingName, device, StringComparison.Ordinal)[$"{action} {Iot}:topic/".Length..];
        var telemetryTopic = TopicOf("PublishOwnTelemetry", "iot:Publish");
        var ackTopic = TopicOf("PublishOwnCommandAcks", "iot:Publish");
        var commandTopic = TopicOf("ReceiveOwnCommands", "iot:Receive");
        var filter = evaluator.EvaluateString(new JsonObject { ["Ref"] = "TelemetryTopicFilter" });
        var ackFilter = evaluator.EvaluateString(new JsonObject { ["Ref"] = "CommandAckTopicFilter" });
        var template = evaluator.EvaluateString(new JsonObject { ["Ref"] = "CommandTopicTemplate" });

        Assert.True(MatchesFilter(telemetryTopic, filter), $"{telemetryTopic} is not matched by the rule's {filter}");
        Assert.Equal(device, telemetryTopic.Split('/')[1]); // topic(2): the rule reads the device id from here
        Assert.True(MatchesFilter(ackTopic, ackFilter), $"{ackTopic} is not matched by CommandAckRule's {ackFilter}");
        Assert.Equal(device, ackTopic.Split('/')[1]);
        // Neither telemetry rule takes an ack, and CommandAckRule takes no telemetry.
        Assert.False(MatchesFilter(ackTopic, filter));
        Assert.False(MatchesFilter(telemetryTopic, ackFilter));
        Assert.Equal(template.Replace("{deviceId}", device, StringComparison.Ordinal), commandTopic);
    }

    private TemplateEvaluator Evaluator(params (string Name, string Value)[] overrides) => TemplateEvaluator.ForDeployment(_template, overrides);

    /// <summary>Sid -> "action resource", asserting each statement allows exactly one action on one resource.</summary>
    private Dictionary<string, string> DevicePolicy(TemplateEvaluator evaluator)
    {
        var statements = evaluator.ResolvedProperties("DevicePolicy")!["PolicyDocument"]!["Statement"]!.AsArray();
        return statements.ToDictionary(
            s => s!["Sid"]!.GetValue<string>(),
            s =>
            {
                Assert.Equal("Allow", s!["Effect"]!.GetValue<string>());
                return $"{s["Action"]!.GetValue<string>()} {s["Resource"]!.GetValue<string>()}";
            });
    }

    private static bool MatchesFilter(string topic, string filter)
    {
        var levels = topic.Split('/');
        var filterLevels = filter.Split('/');
        return levels.Length == filterLevels.Length && filterLevels.Zip(levels).All(p => p.First == "+" || p.First == p.Second);
    }
}
