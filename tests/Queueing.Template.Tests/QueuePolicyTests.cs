using System.Text.Json.Nodes;
using Queueing.Template.Tests.Support;

namespace Queueing.Template.Tests;

/// <summary>
/// The queue policies: every queue refuses requests without TLS, and IngestQueue takes messages only from the
/// telemetry rules' role (and the operators' role, when the deployer names one). Queue policies only deny: what each
/// component may do is granted by its own role (PermissionTests), so a policy here can only take access away.
/// </summary>
public sealed class QueuePolicyTests
{
    private const string PolicyType = "AWS::SQS::QueuePolicy";
    private const string OperatorRole = "arn:aws:iam::123456789012:role/aws-reserved/sso.amazonaws.com/eu-west-1/AWSReservedSSO_QueueingOperator_*";

    private readonly ServerlessTemplate _template = ServerlessTemplate.Current;

    [Fact]
    public void QueuePolicies_EveryQueue_IsInExactlyOnePolicy()
    {
        // SQS keeps one policy per queue: a queue named by two AWS::SQS::QueuePolicy resources gets whichever was
        // applied last, silently dropping the other's statements.
        var covered = _template.ResourcesOfType(PolicyType)
            .SelectMany(policy => _template.Properties(policy)["Queues"]!.AsArray().Select(ServerlessTemplate.RefTarget))
            .ToList();

        Assert.Equal(_template.ResourcesOfType(ServerlessTemplate.QueueType).Order(), covered.Order());
    }

    [Fact]
    public void QueuePolicies_Statements_OnlyDenyAndNameTheirOwnQueues()
    {
        foreach (var policy in _template.ResourcesOfType(PolicyType))
        {
            var queueArns = QueuesOf(policy).Select(q => $"getatt:{q}.Arn").ToHashSet();
            foreach (var statement in Statements(policy))
            {
                Assert.Equal("Deny", statement["Effect"]!.GetValue<string>());
                Assert.Equal("*", statement["Principal"]!.GetValue<string>());
                Assert.All(PolicyStatement.Strings(statement["Resource"]), arn => Assert.Contains(arn, queueArns));
            }
        }
    }

    [Theory]
    [InlineData("IngestQueue")]
    [InlineData("IngestDLQ")]
    [InlineData("TelemetryRuleErrors")]
    [InlineData("CommandQueue")]
    [InlineData("CommandDLQ")]
    public void Queue_WithoutTls_EveryActionIsDenied(string queue)
    {
        var policy = PolicyOf(queue);

        var denials = Statements(policy).Where(s => s["Condition"]?["Bool"]?["aws:SecureTransport"] is not null).ToList();

        var deny = Assert.Single(denials);
        Assert.Equal(["sqs:*"], PolicyStatement.Strings(deny["Action"]));
        Assert.Contains($"getatt:{queue}.Arn", PolicyStatement.Strings(deny["Resource"]));
        // Bool, not BoolIfExists: a request without the key (SQS moving a message to its DLQ itself) is not refused.
        Assert.Equal("false", deny["Condition"]!["Bool"]!["aws:SecureTransport"]!.GetValue<string>());
        Assert.Single(deny["Condition"]!.AsObject());
    }

    [Fact]
    public void IngestQueue_SendMessage_IsDeniedToEveryoneButTheRulesRoleAndTheCommandPublisher()
    {
        var send = Assert.Single(SendDenials(TemplateEvaluator.ForDeployment(_template)));

        Assert.Equal(["getatt:IngestQueue.Arn"], PolicyStatement.Strings(send["Resource"]));
        // The command publisher sends the command status messages (issue 15).
        Assert.Equal(["getatt:TelemetryRuleRole.Arn", "getatt:CommandPublisherFunctionRole.Arn"], PrincipalExceptions(send));
        // The exempted role is the one every rule action on IngestQueue uses, so the Deny never blocks a rule.
        foreach (var rule in _template.ResourcesOfType("AWS::IoT::TopicRule"))
        {
            foreach (var action in _template.Properties(rule)["TopicRulePayload"]!["Actions"]!.AsArray())
            {
                Assert.Equal("IngestQueue", ServerlessTemplate.RefTarget(action!["Sqs"]!["QueueUrl"]));
                Assert.Equal("TelemetryRuleRole", ServerlessTemplate.GetAttTarget(action["Sqs"]!["RoleArn"], "Arn"));
            }
        }
    }

    [Fact]
    public void IngestQueue_WithAnOperatorRole_ThatRoleMaySendToo()
    {
        var send = Assert.Single(SendDenials(TemplateEvaluator.ForDeployment(_template, ("IngestQueueOperatorArn", OperatorRole))));

        Assert.Equal(["getatt:TelemetryRuleRole.Arn", "getatt:CommandPublisherFunctionRole.Arn", OperatorRole], PrincipalExceptions(send));
    }

    [Fact]
    public void IngestQueue_Denials_NeverReachTheConsumerOverTls()
    {
        // The Lambda event source (ReceiveMessage, DeleteMessage, ChangeMessageVisibility, GetQueueAttributes with
        // IngestFunctionRole) and the redrive tool's reads must keep working over TLS: the only denial that applies
        // to a TLS request is the one on SendMessage.
        var overTls = Statements("IngestQueuePolicy").Where(s => s["Condition"]?["Bool"]?["aws:SecureTransport"] is null);

        Assert.All(overTls, s => Assert.Equal(["sqs:SendMessage"], PolicyStatement.Strings(s["Action"])));
        // And no other role sends to IngestQueue than the two the denial exempts: nothing of ours would be refused by it.
        var otherSends = PolicyStatements.Resolved(_template, TemplateEvaluator.ForDeployment(_template))
            .Where(s => s.OwnerType == "AWS::IAM::Role" && s.Owner is not ("TelemetryRuleRole" or "CommandPublisherFunctionRole") && s.Actions.Contains("sqs:SendMessage"))
            .SelectMany(s => s.Resources);
        Assert.DoesNotContain("getatt:IngestQueue.Arn", otherSends);
    }

    private IEnumerable<JsonObject> SendDenials(TemplateEvaluator evaluator) =>
        evaluator.ResolvedProperties("IngestQueuePolicy")!["PolicyDocument"]!["Statement"]!.AsArray()
            .Select(s => s!.AsObject())
            .Where(s => PolicyStatement.Strings(s["Action"]).Contains("sqs:SendMessage"));

    // ArnNotLike: the Deny applies to every principal whose ARN (for a role session, the role's ARN: IAM global
    // condition keys, aws:PrincipalArn) matches none of these.
    private static IReadOnlyList<string> PrincipalExceptions(JsonObject statement)
    {
        var condition = statement["Condition"]!.AsObject();
        Assert.Equal(["ArnNotLike"], condition.Select(c => c.Key));
        return PolicyStatement.Strings(condition["ArnNotLike"]!["aws:PrincipalArn"]);
    }

    private string PolicyOf(string queue) =>
        Assert.Single(_template.ResourcesOfType(PolicyType), p => QueuesOf(p).Contains(queue));

    private IEnumerable<string> QueuesOf(string policy) =>
        _template.Properties(policy)["Queues"]!.AsArray().Select(ServerlessTemplate.RefTarget);

    private IEnumerable<JsonObject> Statements(string policy) =>
        TemplateEvaluator.ForDeployment(_template).ResolvedProperties(policy)!["PolicyDocument"]!["Statement"]!.AsArray().Select(s => s!.AsObject());
}
