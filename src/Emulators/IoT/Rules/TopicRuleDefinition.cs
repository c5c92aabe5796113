namespace Queueing.Emulators.IoT.Rules;

/// <summary>
/// One <c>AWS::IoT::TopicRule</c> as the rules engine needs it: the <c>TopicRulePayload</c>'s name, SQL, SQL
/// version (null when the template omits <c>AwsIotSqlVersion</c>), actions and error action.
/// </summary>
public sealed record TopicRuleDefinition(
    string Name,
    string Sql,
    string? SqlVersion,
    IReadOnlyList<RuleAction> Actions,
    RuleAction? ErrorAction,
    bool Disabled = false);

/// <summary>A rule action. Only <see cref="SqsRuleAction"/> is emulated; the template model refuses others.</summary>
public abstract record RuleAction
{
    /// <summary>The name AWS uses in the error action's <c>failedAction</c>, e.g. <c>SqsAction</c>.</summary>
    public abstract string ActionName { get; }

    /// <summary>What AWS puts in <c>failedResource</c>.</summary>
    public abstract string Resource { get; }
}

/// <summary>The <c>Sqs</c> action: SendMessage of the rule's output to <paramref name="QueueUrl"/>, base64-encoded
/// first when <paramref name="UseBase64"/> is set. The role is not checked locally.</summary>
public sealed record SqsRuleAction(string QueueUrl, bool UseBase64 = false, string? RoleArn = null) : RuleAction
{
    public override string ActionName => "SqsAction";

    public override string Resource => QueueUrl;
}
