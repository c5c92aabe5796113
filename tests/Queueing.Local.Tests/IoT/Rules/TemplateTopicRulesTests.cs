using Queueing.Emulators.IoT.Rules;
using Queueing.Emulators.Template;
using Queueing.Local.Tests.Support;
using Queueing.Testing;

namespace Queueing.Local.Tests.IoT.Rules;

public sealed class TemplateTopicRulesTests
{
    // The real template under its real stack name, as `up` loads it.
    private static readonly StackContext Stack = QueueingApplication.Stack(new Uri("http://127.0.0.1:5000/"));

    private static StackModel LoadReal(IReadOnlyDictionary<string, string>? overrides = null) =>
        StackModel.Load(
            TemplateDocument.Load(RepositoryRoot.File("serverless.template")),
            Stack,
            overrides ?? new Dictionary<string, string>(),
            QueueingApplication.LocalParameterDefaults);

    /// <summary>A template with the queue Queue and the topic rule Rule whose TopicRulePayload is <paramref name="payloadJson"/>.</summary>
    private static StackModel WithRule(string payloadJson, string ruleProperties = "") => Templates.Load($$"""
        {
          "Resources": {
            "Queue": { "Type": "AWS::SQS::Queue" },
            "Rule": { "Type": "AWS::IoT::TopicRule", "Properties": { {{ruleProperties}} "TopicRulePayload": {{payloadJson}} } }
          }
        }
        """);

    private const string GoodSql = "SELECT * FROM 'devices/+/telemetry'";
    private const string SqsToQueue = """{ "Sqs": { "QueueUrl": { "Ref": "Queue" } } }""";

    [Fact]
    public void Read_RealTemplate_TheTelemetryRulesAndTheAckRuleSendToIngestQueueWithErrorsToTelemetryRuleErrors()
    {
        var model = LoadReal();

        var rules = TemplateTopicRules.Read(model);

        // The template names its rules after the stack, hyphens as underscores, so the role trust can name them.
        Assert.Equal(["queueing_TelemetryRule", "queueing_TelemetryClaimRule", "queueing_CommandAckRule"], rules.Select(r => r.Name));
        Assert.Equal(
            "SELECT *, topic(2) AS deviceId, timestamp() AS receivedAt FROM 'devices/+/telemetry' WHERE isUndefined(deviceId) AND isUndefined(receivedAt) AND isUndefined(commandEvent)",
            rules[0].Sql);
        Assert.Equal(
            "SELECT topic(2) AS topicDeviceId, deviceId AS claimedDeviceId, receivedAt AS claimedReceivedAt, commandEvent AS claimedCommandEvent, encode(*, 'base64') AS base64OriginalPayload " +
            "FROM 'devices/+/telemetry' WHERE NOT isUndefined(deviceId) OR NOT isUndefined(receivedAt) OR NOT isUndefined(commandEvent)",
            rules[1].Sql);
        Assert.Equal(
            "SELECT 'ack' AS commandEvent, topic(2) AS deviceId, timestamp() AS receivedAt, encode(*, 'base64') AS base64OriginalPayload FROM 'devices/+/commands/ack'",
            rules[2].Sql);
        foreach (var rule in rules)
        {
            Assert.Equal("2016-03-23", rule.SqlVersion);
            Assert.False(rule.Disabled);
            var action = Assert.IsType<SqsRuleAction>(Assert.Single(rule.Actions));
            Assert.Equal(model.Queues["IngestQueue"].Url, action.QueueUrl);
            Assert.False(action.UseBase64);
            Assert.Equal("arn:aws:iam::123456789012:role/queueing-TelemetryRuleRole", action.RoleArn);
            Assert.Equal(model.Queues["TelemetryRuleErrors"].Url, Assert.IsType<SqsRuleAction>(rule.ErrorAction).QueueUrl);
        }
    }

    [Fact]
    public void Read_RealTemplateWithOverriddenTopicFilter_BothRulesReadTheNewFilter()
    {
        var rules = TemplateTopicRules.Read(LoadReal(new Dictionary<string, string> { ["TelemetryTopicFilter"] = "site/+/up" }));

        Assert.Equal(3, rules.Count);
        Assert.All(rules.Take(2), rule => Assert.Contains(" FROM 'site/+/up' WHERE ", rule.Sql, StringComparison.Ordinal));
        Assert.EndsWith(" FROM 'devices/+/commands/ack'", rules[2].Sql, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_RealTemplateWithALegacyTopic_TheLegacyRuleRunsToo()
    {
        var model = LoadReal(new Dictionary<string, string> { ["LegacyTelemetryTopicFilter"] = "sensors/light" });

        var rules = TemplateTopicRules.Read(model);

        Assert.Equal(["queueing_TelemetryRule", "queueing_TelemetryClaimRule", "queueing_CommandAckRule", "queueing_LegacyTelemetryRule"], rules.Select(r => r.Name));
        Assert.Equal(
            "SELECT clientid() AS clientId, topic() AS topic, timestamp() AS receivedAt, encode(*, 'base64') AS base64OriginalPayload FROM 'sensors/light'",
            rules[3].Sql);
        Assert.Equal(model.Queues["IngestQueue"].Url, Assert.IsType<SqsRuleAction>(Assert.Single(rules[3].Actions)).QueueUrl);
        Assert.Equal(model.Queues["TelemetryRuleErrors"].Url, Assert.IsType<SqsRuleAction>(rules[3].ErrorAction).QueueUrl);
    }

    [Fact]
    public void Read_RuleName_NamesTheRuleInsteadOfTheLogicalId()
    {
        var rule = Assert.Single(TemplateTopicRules.Read(WithRule(
            $$"""{ "AwsIotSqlVersion": "2016-03-23", "Sql": "{{GoodSql}}", "Actions": [ {{SqsToQueue}} ], "RuleDisabled": true }""",
            """ "RuleName": "my_rule", """)));

        Assert.Equal("my_rule", rule.Name);
        Assert.True(rule.Disabled);
        Assert.Null(rule.ErrorAction);
    }

    [Fact]
    public void Read_LambdaAction_IsRefusedNamingResourceAndProperty()
    {
        var error = Assert.Throws<TemplateException>(() => TemplateTopicRules.Read(WithRule(
            $$"""{ "AwsIotSqlVersion": "2016-03-23", "Sql": "{{GoodSql}}", "Actions": [ { "Lambda": { "FunctionArn": "arn:aws:lambda:us-east-1:123456789012:function:f" } } ] }""")));

        Assert.Equal(
            "Resource 'Rule', property 'Properties.TopicRulePayload.Actions[0].Lambda': the Lambda action is not emulated by the local stack; only Sqs is",
            error.Message);
    }

    [Fact]
    public void Read_SqlOutsideTheSubset_IsRefusedWithTheParsersMessage()
    {
        var error = Assert.Throws<TemplateException>(() => TemplateTopicRules.Read(WithRule(
            $$"""{ "AwsIotSqlVersion": "2016-03-23", "Sql": "SELECT upper(name) FROM 'devices/+/telemetry'", "Actions": [ {{SqsToQueue}} ] }""")));

        Assert.StartsWith("Resource 'Rule', property 'Properties.TopicRulePayload.Sql': Topic rule 'Rule': ", error.Message, StringComparison.Ordinal);
        Assert.Contains("upper", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_QueueUrlOfNoTemplateQueue_IsRefused()
    {
        var error = Assert.Throws<TemplateException>(() => TemplateTopicRules.Read(WithRule(
            $$"""{ "AwsIotSqlVersion": "2016-03-23", "Sql": "{{GoodSql}}", "Actions": [ { "Sqs": { "QueueUrl": "https://sqs.eu-west-1.amazonaws.com/999999999999/elsewhere" } } ] }""")));

        Assert.Equal(
            "Resource 'Rule', property 'Properties.TopicRulePayload.Actions[0].Sqs.QueueUrl': 'https://sqs.eu-west-1.amazonaws.com/999999999999/elsewhere': it is not the URL of a queue of this template, the only queues the local stack creates (Queue)",
            error.Message);
    }

    [Fact]
    public void Read_QueueArnInsteadOfUrl_IsRefusedPointingAtTheRef()
    {
        var error = Assert.Throws<TemplateException>(() => TemplateTopicRules.Read(WithRule(
            $$"""{ "AwsIotSqlVersion": "2016-03-23", "Sql": "{{GoodSql}}", "Actions": [ {{SqsToQueue}} ], "ErrorAction": { "Sqs": { "QueueUrl": { "Fn::GetAtt": ["Queue", "Arn"] } } } }""")));

        Assert.StartsWith("Resource 'Rule', property 'Properties.TopicRulePayload.ErrorAction.Sqs.QueueUrl': ", error.Message, StringComparison.Ordinal);
        Assert.Contains("""{"Ref": "Queue"}""", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_UnknownSqlVersion_IsRefused()
    {
        var error = Assert.Throws<TemplateException>(() => TemplateTopicRules.Read(WithRule(
            $$"""{ "AwsIotSqlVersion": "2020-01-01", "Sql": "{{GoodSql}}", "Actions": [ {{SqsToQueue}} ] }""")));

        Assert.Equal(
            "Resource 'Rule', property 'Properties.TopicRulePayload.AwsIotSqlVersion': '2020-01-01' is not an AWS IoT SQL version (2016-03-23, 2015-10-08, beta)",
            error.Message);
    }

    [Fact]
    public void Read_VersionOmitted_IsRefusedBecauseAwsDefaultsTo20151008()
    {
        var error = Assert.Throws<TemplateException>(() => TemplateTopicRules.Read(WithRule(
            $$"""{ "Sql": "{{GoodSql}}", "Actions": [ {{SqsToQueue}} ] }""")));

        Assert.StartsWith("Resource 'Rule', property 'Properties.TopicRulePayload.AwsIotSqlVersion': ", error.Message, StringComparison.Ordinal);
        Assert.Contains("'2015-10-08'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_SeveralProblems_AreAllReportedTogether()
    {
        var model = Templates.Load("""
            {
              "Resources": {
                "Queue": { "Type": "AWS::SQS::Queue" },
                "NoSql": { "Type": "AWS::IoT::TopicRule", "Properties": { "TopicRulePayload": { "AwsIotSqlVersion": "2016-03-23", "Actions": [] } } },
                "Mixed": { "Type": "AWS::IoT::TopicRule", "Properties": { "TopicRulePayload": {
                  "AwsIotSqlVersion": "beta",
                  "Sql": "SELECT * FROM",
                  "Actions": [ { "Sqs": { "QueueUrl": { "Ref": "Queue" } } }, { "Kinesis": { "StreamName": "s" } } ],
                  "ErrorAction": { "Sqs": { "QueueUrl": "http://127.0.0.1:5000/123456789012/nope" } } } } }
              }
            }
            """);

        var lines = Assert.Throws<TemplateException>(() => TemplateTopicRules.Read(model)).Message.Split(Environment.NewLine);

        Assert.Collection(
            lines,
            l => Assert.Equal("Resource 'NoSql', property 'Properties.TopicRulePayload.Sql': the rule has no Sql", l),
            l => Assert.StartsWith("Resource 'Mixed', property 'Properties.TopicRulePayload.AwsIotSqlVersion': Topic rule 'Mixed': SQL version 'beta'", l, StringComparison.Ordinal),
            l => Assert.StartsWith("Resource 'Mixed', property 'Properties.TopicRulePayload.Sql': Topic rule 'Mixed': ", l, StringComparison.Ordinal),
            l => Assert.Equal("Resource 'Mixed', property 'Properties.TopicRulePayload.Actions[1].Kinesis': the Kinesis action is not emulated by the local stack; only Sqs is", l),
            l => Assert.StartsWith("Resource 'Mixed', property 'Properties.TopicRulePayload.ErrorAction.Sqs.QueueUrl': ", l, StringComparison.Ordinal));
    }
}
