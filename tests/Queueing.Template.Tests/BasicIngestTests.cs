using Queueing.Template.Tests.Support;

namespace Queueing.Template.Tests;

/// <summary>
/// TelemetryIngest=basic (issue 13, part 6): devices publish on TelemetryRule's Basic Ingest topic,
/// <c>$aws/rules/&lt;rule name&gt;/&lt;their telemetry topic&gt;</c>, which reaches the rule without the message broker and
/// its messaging charge. AWS: the prefix does not count for <c>topic(n)</c>, and the topic names exactly one rule
/// (AWS IoT developer guide, "Reducing messaging costs with Basic Ingest").
/// </summary>
public sealed class BasicIngestTests
{
    private const string Iot = IotArns.Prefix;
    private const string ThingName = IotArns.ThingName;
    private const string Basic = "basic";
    private const string Ack = $"{Iot}:topic/devices/{ThingName}/commands/ack";

    private readonly ServerlessTemplate _template = ServerlessTemplate.Current;

    [Fact]
    public void TelemetryIngest_DefaultsToTheBroker_SoADeployedStackKeepsItsDeviceTopics()
    {
        var parameter = _template.Parameter("TelemetryIngest");

        Assert.Equal("broker", parameter["Default"]!.GetValue<string>());
        Assert.Equal(["broker", Basic], parameter["AllowedValues"]!.AsArray().Select(v => v!.GetValue<string>()));
        Assert.False(Evaluator().Condition("UsesBasicIngest"));
        Assert.True(Evaluator(("TelemetryIngest", Basic)).Condition("UsesBasicIngest"));
    }

    [Fact]
    public void DevicePolicy_Basic_AllowsPublishingOnlyOnTheDevicesOwnBasicIngestTopicOfTelemetryRule()
    {
        // Not the broker topic any more: a device cannot pay messaging by mistake, nor reach TelemetryRule twice. Its
        // acknowledgements stay on the broker (CommandAckRule has no Basic Ingest variant).
        Assert.Equal(
            [$"{Iot}:topic/$aws/rules/queueing_TelemetryRule/devices/{ThingName}/telemetry", Ack],
            PublishResources(Evaluator(("TelemetryIngest", Basic))));
    }

    [Fact]
    public void DevicePolicy_Broker_IsUnchanged()
    {
        Assert.Equal([$"{Iot}:topic/devices/{ThingName}/telemetry", Ack], PublishResources(Evaluator(("TelemetryIngest", "broker"))));
    }

    [Theory]
    [InlineData("queueing", "devices/+/telemetry")]
    [InlineData("queueing-prod", "devices/+/telemetry")]
    [InlineData("q-1", "plant/+/data/json")]
    public void DevicePolicy_Basic_NamesTheRuleTelemetryRuleIsDeployedAsAndTheTopicGivesTheDeviceIdToTopic2(string stack, string filter)
    {
        const string device = "lamp-1";
        var evaluator = TemplateEvaluator.ForStack(_template, stack, ("TelemetryIngest", Basic), ("TelemetryTopicFilter", filter));
        var ruleName = evaluator.EvaluateString(_template.Properties("TelemetryRule")["RuleName"]);

        var topic = TelemetryPublishResource(evaluator)[$"{Iot}:topic/".Length..].Replace(ThingName, device, StringComparison.Ordinal);

        // $aws/rules/<rule name>/ addresses the rule, and the rule name is exactly TelemetryRule's (stack name with
        // '-' as '_', the only characters a rule name allows).
        var prefix = $"$aws/rules/{ruleName}/";
        Assert.StartsWith(prefix, topic, StringComparison.Ordinal);
        Assert.Matches("^[a-zA-Z0-9_]+$", ruleName);
        // What the rule sees: the topic without the prefix, matching its filter, the device id at level 2.
        var ruleTopic = topic[prefix.Length..];
        Assert.True(MatchesFilter(ruleTopic, filter), $"{ruleTopic} is not matched by {filter}");
        Assert.Equal(device, ruleTopic.Split('/')[1]);
    }

    [Fact]
    public void DevicePolicy_BasicWithALegacyTopic_KeepsTheLegacyTopicOnTheBroker()
    {
        // The replaced setup's devices keep publishing as they did; only today's devices move to Basic Ingest.
        var publishes = PublishResources(Evaluator(("TelemetryIngest", Basic), ("LegacyTelemetryTopicFilter", "sensors/light")));

        Assert.Equal([$"{Iot}:topic/$aws/rules/queueing_TelemetryRule/devices/{ThingName}/telemetry", $"{Iot}:topic/sensors/light", Ack], publishes);
    }

    [Fact]
    public void DevicePolicy_Basic_LeavesConnectAndCommandsAsTheyAre()
    {
        var broker = Statements(Evaluator());
        var basic = Statements(Evaluator(("TelemetryIngest", Basic)));

        foreach (var action in new[] { "iot:Connect", "iot:Subscribe", "iot:Receive" })
        {
            Assert.Equal(broker[action], basic[action]); // JSON text: the whole statement, condition included
        }
    }

    [Fact]
    public void TelemetryRule_Basic_KeepsTheWhereThatRefusesPayloadsSettingTheRulesFields()
    {
        // A Basic Ingest message reaches this rule and no other, so TelemetryClaimRule never sees it: the WHERE is what
        // keeps a payload's own deviceId from naming the resource. AWS runs no action for it (docs/deployment.md).
        var broker = Evaluator().ResolvedProperties("TelemetryRule")!["TopicRulePayload"]!["Sql"]!.GetValue<string>();
        var basic = Evaluator(("TelemetryIngest", Basic)).ResolvedProperties("TelemetryRule")!["TopicRulePayload"]!["Sql"]!.GetValue<string>();

        Assert.Equal(broker, basic);
        Assert.EndsWith("WHERE isUndefined(deviceId) AND isUndefined(receivedAt) AND isUndefined(commandEvent)", basic, StringComparison.Ordinal);
    }

    [Fact]
    public void Outputs_DeviceTelemetryTopic_IsTheTopicTheDevicePolicyAllows()
    {
        var output = _template.Outputs["DeviceTelemetryTopic"]!["Value"];

        Assert.Equal("devices/{deviceId}/telemetry", Evaluator().EvaluateString(output));
        Assert.Equal("plant/{deviceId}/data/json", Evaluator(("TelemetryTopicFilter", "plant/+/data/json")).EvaluateString(output));
        // The evaluator leaves resource Refs unresolved; Ref of an AWS::IoT::TopicRule is its rule name.
        var basic = Evaluator(("TelemetryIngest", Basic));
        Assert.Equal("$aws/rules/ref:TelemetryRule/devices/{deviceId}/telemetry", basic.EvaluateString(output));
        var policyTopic = TelemetryPublishResource(basic)[$"{Iot}:topic/".Length..];
        Assert.Equal(
            policyTopic.Replace(ThingName, "{deviceId}", StringComparison.Ordinal),
            basic.EvaluateString(output).Replace("ref:TelemetryRule", basic.EvaluateString(_template.Properties("TelemetryRule")["RuleName"]), StringComparison.Ordinal));
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

    private static string TelemetryPublishResource(TemplateEvaluator evaluator) =>
        evaluator.ResolvedProperties("DevicePolicy")!["PolicyDocument"]!["Statement"]!.AsArray()
            .Single(s => s!["Sid"]?.GetValue<string>() == "PublishOwnTelemetry")!["Resource"]!.GetValue<string>();

    private static Dictionary<string, string> Statements(TemplateEvaluator evaluator) =>
        evaluator.ResolvedProperties("DevicePolicy")!["PolicyDocument"]!["Statement"]!.AsArray()
            .Where(s => s!["Action"]!.GetValue<string>() != "iot:Publish")
            .ToDictionary(s => s!["Action"]!.GetValue<string>(), s => s!.ToJsonString());

    private static bool MatchesFilter(string topic, string filter)
    {
        var levels = topic.Split('/');
        var filterLevels = filter.Split('/');
        return levels.Length == filterLevels.Length && filterLevels.Zip(levels).All(p => p.First == "+" || p.First == p.Second);
    }
}
