using Queueing.Template.Tests.Support;

namespace Queueing.Template.Tests;

/// <summary>
/// The optional legacy topic (issue 12): the replaced setup's devices publish envelopes on a topic that carries no
/// device id; LegacyTelemetryRule takes the device id from the MQTT client id, which the device policy binds to the
/// thing name, and never from the payload.
/// </summary>
public sealed class LegacyTelemetryTests
{
    private const string Iot = IotArns.Prefix;
    private const string ThingName = IotArns.ThingName;

    private readonly ServerlessTemplate _template = ServerlessTemplate.Current;

    [Fact]
    public void LegacyTelemetryRule_Sql_DeviceIdFromTheClientIdAndThePayloadOnlyAsBase64()
    {
        var payload = Evaluator(("LegacyTelemetryTopicFilter", "sensors/light")).ResolvedProperties("LegacyTelemetryRule")!["TopicRulePayload"]!;

        // No "*" beside the rule's fields (no payload field can compete with clientId) and no WHERE: every message on
        // the topic, JSON or not, reaches IngestQueue, where the ingest function delivers it or parks it with a reason.
        Assert.Equal(
            "SELECT clientid() AS clientId, topic() AS topic, timestamp() AS receivedAt, encode(*, 'base64') AS base64OriginalPayload FROM 'sensors/light'",
            payload["Sql"]!.GetValue<string>());
        Assert.Equal("2016-03-23", payload["AwsIotSqlVersion"]!.GetValue<string>());
        Assert.False(payload["RuleDisabled"]!.GetValue<bool>());
    }

    [Fact]
    public void LegacyTelemetryRule_Name_IsDerivedFromTheStackLikeTheOtherRules()
    {
        var evaluator = TemplateEvaluator.ForStack(_template, "queueing-prod", ("LegacyTelemetryTopicFilter", "sensors/light"));

        Assert.Equal("queueing_prod_LegacyTelemetryRule", evaluator.EvaluateString(_template.Properties("LegacyTelemetryRule")["RuleName"]));
    }

    [Fact]
    public void DevicePolicy_NoLegacyTopic_GrantsNoPublishBeyondTheDevicesOwnTelemetryAndAckTopics()
    {
        Assert.Equal([$"{Iot}:topic/devices/{ThingName}/telemetry", $"{Iot}:topic/devices/{ThingName}/commands/ack"], PublishResources(Evaluator()));
    }

    [Theory]
    [InlineData("sensors/light", "sensors/light")]
    [InlineData("+/telemetry", "*/telemetry")]
    [InlineData("site/+/light/+", "site/*/light/*")]
    public void DevicePolicy_LegacyTopic_DevicesMayPublishThereToo(string filter, string policyTopic)
    {
        // Policies treat + and # as literal characters; * is their wildcard (AWS IoT Core policy variables).
        var publishes = PublishResources(Evaluator(("LegacyTelemetryTopicFilter", filter)));

        Assert.Equal([$"{Iot}:topic/devices/{ThingName}/telemetry", $"{Iot}:topic/{policyTopic}", $"{Iot}:topic/devices/{ThingName}/commands/ack"], publishes);
    }

    [Fact]
    public void DevicePolicy_LegacyTopic_LeavesConnectBoundToTheThingName()
    {
        // The rule's device id is clientid(); it is the thing name only because Connect allows no other client id.
        var statements = Evaluator(("LegacyTelemetryTopicFilter", "sensors/light")).ResolvedProperties("DevicePolicy")!["PolicyDocument"]!["Statement"]!.AsArray();

        var connect = Assert.Single(statements, s => s!["Action"]!.GetValue<string>() == "iot:Connect")!;
        Assert.Equal($"{Iot}:client/{ThingName}", connect["Resource"]!.GetValue<string>());
        Assert.Equal("true", connect["Condition"]!["Bool"]!["iot:Connection.Thing.IsAttached"]!.GetValue<string>());
    }

    [Fact]
    public void IngestFunction_TelemetryFormat_IsTheParameters()
    {
        var variables = Evaluator(("TelemetryFormat", "envelope")).ResolvedProperties("IngestFunction")!["Environment"]!["Variables"]!;

        Assert.Equal("envelope", variables["TELEMETRY_FORMAT"]!.GetValue<string>());
    }

    [Fact]
    public void Outputs_LegacyRuleName_OnlyWhenTheRuleExists()
    {
        var output = _template.Outputs["LegacyTelemetryRuleName"]!;

        Assert.Equal("HasLegacyTelemetryTopic", output["Condition"]!.GetValue<string>());
        Assert.Equal("LegacyTelemetryRule", ServerlessTemplate.RefTarget(output["Value"]));
    }

    private TemplateEvaluator Evaluator(params (string Name, string Value)[] overrides) => TemplateEvaluator.ForDeployment(_template, overrides);

    private static List<string> PublishResources(TemplateEvaluator evaluator) =>
        evaluator.ResolvedProperties("DevicePolicy")!["PolicyDocument"]!["Statement"]!.AsArray()
            .Where(s => s!["Action"]!.GetValue<string>() == "iot:Publish")
            .Select(s =>
            {
                Assert.Equal("Allow", s!["Effect"]!.GetValue<string>());
                return s["Resource"]!.GetValue<string>();
            })
            .ToList();
}
