using Queueing.Template.Tests.Support;

namespace Queueing.Template.Tests;

public sealed class PermissionTests
{
    private const string Arn = $"arn:{TemplateEvaluator.Partition}";
    private const string RegionAccount = $"{TemplateEvaluator.Region}:{TemplateEvaluator.AccountId}";
    private const string KeyArn = $"arn:aws:kms:{TemplateEvaluator.Region}:{TemplateEvaluator.AccountId}:key/1234abcd-12ab-34cd-56ef-1234567890ab";

    // What active tracing needs from a function's role (SAM adds AWSXRayDaemonWriteAccess only to roles it makes;
    // the sampling reads of that policy serve the X-Ray SDK, which the functions do not ship).
    private static readonly string[] XRayWrites = ["xray:PutTelemetryRecords", "xray:PutTraceSegments"];

    private readonly ServerlessTemplate _template = ServerlessTemplate.Current;

    [Fact]
    public void Statements_Anywhere_NameEveryActionExactly()
    {
        var statements = PolicyStatements.Raw(_template);

        // Trust policies, five roles' permissions and the device policy: an empty scan would prove nothing.
        Assert.True(statements.Count >= 20, $"only {statements.Count} statements found");
        foreach (var statement in statements)
        {
            Assert.Null(statement.Statement["NotAction"]);
            Assert.Null(statement.Statement["NotResource"]);
            Assert.NotEmpty(statement.Actions);
            if (statement.Statement["Effect"]?.GetValue<string>() == "Deny")
            {
                // A deny only takes away: "sqs:*" is how a queue policy refuses every action without TLS, including
                // actions SQS adds later (QueuePolicyTests checks those statements).
                continue;
            }

            Assert.All(statement.Actions, action => Assert.False(action.Contains('*', StringComparison.Ordinal), $"{statement}: wildcard action '{action}'"));
        }
    }

    [Fact]
    public void Statements_WithAndWithoutKmsKey_NeverGrantOnAllResources()
    {
        foreach (var evaluator in new[] { Defaults(), TemplateEvaluator.ForDeployment(_template, ("SecretsKmsKeyArn", KeyArn)) })
        {
            foreach (var statement in PolicyStatements.Resolved(_template, evaluator).Where(s => s.Statement["Principal"] is null))
            {
                Assert.NotEmpty(statement.Resources);
                if (statement.Actions.Order().SequenceEqual(XRayWrites))
                {
                    // X-Ray's write actions have no resource types: "*" is the only resource they can be granted on.
                    Assert.Equal(["*"], statement.Resources);
                    continue;
                }

                Assert.All(statement.Resources, r => Assert.NotEqual("*", r));
            }
        }
    }

    [Fact]
    public void Functions_Role_IsTheirOwnWithoutManagedPolicies()
    {
        foreach (var id in _template.ResourcesOfType(ServerlessTemplate.FunctionType))
        {
            var properties = _template.Properties(id);
            // With an explicit role SAM adds nothing; without one it would attach AWSLambdaSQSQueueExecutionRole (Resource "*").
            Assert.Equal($"{id}Role", ServerlessTemplate.GetAttTarget(properties["Role"], "Arn"));
            Assert.Null(properties["Policies"]);
        }

        foreach (var role in _template.ResourcesOfType("AWS::IAM::Role"))
        {
            Assert.Null(_template.Properties(role)["ManagedPolicyArns"]);
        }
    }

    [Fact]
    public void Roles_Actions_AreExactlyWhatEachComponentNeeds()
    {
        var expected = new Dictionary<string, string[]>
        {
            ["IngestFunctionRole"] =
            [
                "logs:CreateLogStream", "logs:PutLogEvents", "sqs:ChangeMessageVisibility", "sqs:DeleteMessage", "sqs:GetQueueAttributes",
                "sqs:ReceiveMessage", "sqs:SendMessage", "ssm:GetParameter", .. XRayWrites,
            ],
            ["CommandApiFunctionRole"] = ["logs:CreateLogStream", "logs:PutLogEvents", "sqs:SendMessage", "ssm:GetParameter", .. XRayWrites],
            ["CommandPublisherFunctionRole"] =
            [
                "iot:Publish", "logs:CreateLogStream", "logs:PutLogEvents", "sqs:ChangeMessageVisibility", "sqs:DeleteMessage",
                "sqs:GetQueueAttributes", "sqs:ReceiveMessage", "sqs:SendMessage", .. XRayWrites,
            ],
            ["TelemetryRuleRole"] = ["sqs:SendMessage"],
            ["TelemetryRuleErrorRole"] = ["sqs:SendMessage"],
        };

        var granted = PolicyStatements.Resolved(_template, Defaults())
            .Where(s => s.OwnerType == "AWS::IAM::Role" && s.Statement["Principal"] is null)
            .GroupBy(s => s.Owner)
            .ToDictionary(g => g.Key, g => g.SelectMany(s => s.Actions).Distinct().Order().ToArray());

        Assert.Equal(expected.Keys.Order(), granted.Keys.Order());
        foreach (var (role, actions) in expected)
        {
            Assert.Equal(actions.Order(), granted[role]);
        }
    }

    [Fact]
    public void Functions_ActiveTracing_TheirRoleMayWriteTracesAndNothingElseDoes()
    {
        var functions = _template.ResourcesOfType(ServerlessTemplate.FunctionType).ToList();
        var writers = PolicyStatements.Resolved(_template, Defaults())
            .Where(s => s.Actions.Any(a => a.StartsWith("xray:", StringComparison.Ordinal)))
            .ToList();

        Assert.Equal(3, functions.Count);
        Assert.All(functions, id => Assert.Equal("Active", _template.Properties(id)["Tracing"]!.GetValue<string>()));
        Assert.Equal(functions.Select(id => $"{id}Role").Order(), writers.Select(s => s.Owner).Order());
        Assert.All(writers, s => Assert.Equal(XRayWrites, s.Actions.Order()));
    }

    [Fact]
    public void QueueAccess_EveryRole_IsScopedToItsOwnQueues()
    {
        var expected = new Dictionary<(string Role, string Action), string[]>
        {
            [("IngestFunctionRole", "sqs:ReceiveMessage")] = ["getatt:IngestQueue.Arn"],
            [("IngestFunctionRole", "sqs:SendMessage")] = ["getatt:IngestDLQ.Arn"],
            [("CommandApiFunctionRole", "sqs:SendMessage")] = ["getatt:CommandQueue.Arn"],
            [("CommandPublisherFunctionRole", "sqs:ReceiveMessage")] = ["getatt:CommandQueue.Arn"],
            // Parking in its DLQ, and the command status messages Ingest turns into Waylay events (issue 15).
            [("CommandPublisherFunctionRole", "sqs:SendMessage")] = ["getatt:CommandDLQ.Arn", "getatt:IngestQueue.Arn"],
            [("TelemetryRuleRole", "sqs:SendMessage")] = ["getatt:IngestQueue.Arn"],
            [("TelemetryRuleErrorRole", "sqs:SendMessage")] = ["getatt:TelemetryRuleErrors.Arn"],
        };

        var statements = PolicyStatements.Resolved(_template, Defaults());
        foreach (var ((role, action), resource) in expected)
        {
            var resources = statements.Where(s => s.Owner == role && s.Actions.Contains(action)).SelectMany(s => s.Resources);
            Assert.Equal(resource, resources.Order());
        }
    }

    [Theory]
    [InlineData("IngestFunctionRole", "WaylayCredentialsParameter", "/queueing/waylay-credentials")]
    [InlineData("CommandApiFunctionRole", "CommandSigningSecretParameter", "/queueing/command-signing-secret")]
    public void SsmGetParameter_Resource_IsExactlyTheConfiguredParameter(string role, string parameter, string defaultName)
    {
        const string otherName = "/prod/eu/secret.v2";

        Assert.Equal([$"{Arn}:ssm:{RegionAccount}:parameter{defaultName}"], SsmResources(Defaults(), role));
        // The leading slash of the name is the separator in the ARN: no "parameter//...".
        Assert.Equal([$"{Arn}:ssm:{RegionAccount}:parameter{otherName}"], SsmResources(TemplateEvaluator.ForDeployment(_template, (parameter, otherName)), role));
    }

    [Fact]
    public void KmsDecrypt_WithoutCustomerKey_IsNotGranted()
    {
        Assert.DoesNotContain(PolicyStatements.Resolved(_template, Defaults()), s => s.Actions.Contains("kms:Decrypt"));
    }

    [Fact]
    public void KmsDecrypt_WithCustomerKey_IsOnThatKeyAndOnlyThroughSsm()
    {
        var evaluator = TemplateEvaluator.ForDeployment(_template, ("SecretsKmsKeyArn", KeyArn));
        var decrypts = PolicyStatements.Resolved(_template, evaluator).Where(s => s.Actions.Contains("kms:Decrypt")).ToList();

        Assert.Equal(["CommandApiFunctionRole", "IngestFunctionRole"], decrypts.Select(s => s.Owner).Order());
        Assert.All(decrypts, s =>
        {
            Assert.Equal([KeyArn], s.Resources);
            Assert.Equal($"ssm.{TemplateEvaluator.Region}.amazonaws.com", s.Statement["Condition"]!["StringEquals"]!["kms:ViaService"]!.GetValue<string>());
        });
    }

    [Theory]
    [InlineData("devices/{deviceId}/commands", "devices/*/commands")]
    [InlineData("plant-7/{deviceId}/cmd/set", "plant-7/*/cmd/set")]
    [InlineData("{deviceId}/in", "*/in")]
    public void IotPublish_InAnyRole_IsOnlyOnTopicsTheCommandTemplateProduces(string topicTemplate, string topicPattern)
    {
        var evaluator = TemplateEvaluator.ForDeployment(_template, ("CommandTopicTemplate", topicTemplate));
        var publishes = PolicyStatements.Resolved(_template, evaluator)
            .Where(s => s.OwnerType == "AWS::IAM::Role" && s.Actions.Contains("iot:Publish"))
            .ToList();

        var publish = Assert.Single(publishes);
        Assert.Equal("CommandPublisherFunctionRole", publish.Owner);
        Assert.Equal(["iot:Publish"], publish.Actions);
        Assert.Equal([$"{Arn}:iot:{RegionAccount}:topic/{topicPattern}"], publish.Resources);
    }

    [Theory]
    [InlineData(TemplateEvaluator.StackName, "", 3)]
    [InlineData("queueing-prod-eu-west-1", "", 3)]
    [InlineData("queueing-prod-eu-west-1", "sensors/light", 4)]
    public void RuleRoles_Trust_OnlyTheTelemetryRulesThisStackCreates(string stackName, string legacyTopic, int expectedRules)
    {
        var evaluator = TemplateEvaluator.ForStack(_template, stackName, ("LegacyTelemetryTopicFilter", legacyTopic));
        // A rule the stack does not create (the legacy rule without a legacy topic) is not trusted: a rule of that
        // name made outside the stack must not be able to write IngestQueue.
        var rules = _template.ResourcesOfType("AWS::IoT::TopicRule")
            .Where(rule => _template.Resource(rule)["Condition"] is not { } condition || evaluator.Condition(condition.GetValue<string>()))
            .Select(rule => evaluator.EvaluateString(_template.Properties(rule)["RuleName"]))
            .ToList();
        Assert.Equal(expectedRules, rules.Count);
        // IoT rule names allow letters, digits and underscores only (CloudFormation AWS::IoT::TopicRule RuleName).
        Assert.All(rules, name => Assert.Matches("^[a-zA-Z0-9_]{1,128}$", name));
        var ruleArns = rules.Select(name => $"{Arn}:iot:{RegionAccount}:rule/{name}").Order().ToArray();

        foreach (var role in new[] { "TelemetryRuleRole", "TelemetryRuleErrorRole" })
        {
            var trust = PolicyStatements.Resolved(_template, evaluator).Single(s => s.Owner == role && s.Statement["Principal"] is not null);
            Assert.Equal("iot.amazonaws.com", trust.Statement["Principal"]!["Service"]!.GetValue<string>());
            Assert.Equal(["sts:AssumeRole"], trust.Actions);
            // Confused-deputy guard (AWS IoT developer guide): only this account's IoT, and only for our rules, whose
            // ARNs are built from the names the rules set explicitly (a Ref to a rule would be a dependency cycle).
            var condition = trust.Statement["Condition"]!.AsObject();
            Assert.Equal(TemplateEvaluator.AccountId, condition["StringEquals"]!["aws:SourceAccount"]!.GetValue<string>());
            Assert.Equal(ruleArns, PolicyStatement.Strings(condition["ArnEquals"]!["aws:SourceArn"]).Order());
            Assert.Equal(["ArnEquals", "StringEquals"], condition.Select(c => c.Key).Order());
        }
    }

    private TemplateEvaluator Defaults() => TemplateEvaluator.ForDeployment(_template);

    private IEnumerable<string> SsmResources(TemplateEvaluator evaluator, string role) =>
        PolicyStatements.Resolved(_template, evaluator).Where(s => s.Owner == role && s.Actions.Contains("ssm:GetParameter")).SelectMany(s => s.Resources);
}
