using System.Text.Json.Nodes;
using Queueing.Emulators.IoT.Sql;
using Queueing.Emulators.Template;

namespace Queueing.Emulators.IoT.Rules;

/// <summary>
/// The template's <c>AWS::IoT::TopicRule</c> resources as the local rules engine runs them. Everything the engine
/// could not run as AWS does (an action other than Sqs, SQL outside the supported subset, a queue the local stack
/// does not create) is refused before anything starts, every problem at once, each naming resource and property.
/// Disabled rules are checked too: enabling one (often a parameter) must not be what reveals the problem.
/// </summary>
public static class TemplateTopicRules
{
    /// <summary>The values <c>AwsIotSqlVersion</c> accepts in AWS.</summary>
    public static IReadOnlyList<string> AwsSqlVersions { get; } = ["2016-03-23", "2015-10-08", "beta"];

    public static IReadOnlyList<TopicRuleDefinition> Read(StackModel model)
    {
        var problems = new List<string>();
        var rules = new List<TopicRuleDefinition>();
        foreach (var resource in model.TopicRules)
        {
            if (ReadRule(resource, model, problems) is { } rule)
            {
                rules.Add(rule);
            }
        }

        if (problems.Count > 0)
        {
            throw new TemplateException(string.Join(Environment.NewLine, problems));
        }

        return rules;
    }

    private static TopicRuleDefinition? ReadRule(ResolvedResource resource, StackModel model, List<string> problems)
    {
        var properties = TemplatePath.Resource(resource.LogicalId).Child("Properties");
        var payloadPath = properties.Child("TopicRulePayload");
        var before = problems.Count;
        string? name = null, sql = null, version = null;
        var disabled = false;
        Try(problems, () => name = StackModel.String(resource.Properties, "RuleName", properties));
        name ??= resource.LogicalId;
        if (resource.Properties["TopicRulePayload"] is not JsonObject payload)
        {
            problems.Add(payloadPath.Fail("the rule has no TopicRulePayload object").Message);
            return null;
        }

        Try(problems, () => sql = StackModel.String(payload, "Sql", payloadPath));
        Try(problems, () => version = StackModel.String(payload, "AwsIotSqlVersion", payloadPath));
        Try(problems, () => disabled = StackModel.Bool(payload, "RuleDisabled", false, payloadPath));
        CheckSql(name, sql, version, payload.ContainsKey("Sql"), payloadPath, problems);

        var actions = new List<RuleAction>();
        switch (payload["Actions"])
        {
            case null:
                problems.Add(payloadPath.Child("Actions").Fail("the rule has no Actions").Message);
                break;
            case JsonArray list:
                for (var i = 0; i < list.Count; i++)
                {
                    if (ReadAction(list[i], payloadPath.Child("Actions").Index(i), model, problems) is { } action)
                    {
                        actions.Add(action);
                    }
                }

                break;
            default:
                problems.Add(payloadPath.Child("Actions").Fail("Actions must be a list").Message);
                break;
        }

        var errorAction = payload["ErrorAction"] is { } error ? ReadAction(error, payloadPath.Child("ErrorAction"), model, problems) : null;
        return problems.Count == before ? new TopicRuleDefinition(name, sql!, version, actions, errorAction, disabled) : null;
    }

    private static void CheckSql(string ruleName, string? sql, string? version, bool sqlGiven, TemplatePath payloadPath, List<string> problems)
    {
        var versionPath = payloadPath.Child("AwsIotSqlVersion");
        if (version is not null && !AwsSqlVersions.Contains(version))
        {
            problems.Add(versionPath.Fail($"'{version}' is not an AWS IoT SQL version ({string.Join(", ", AwsSqlVersions)})").Message);
        }
        else if ((version ?? IotSqlParser.AwsDefaultVersion) != IotSqlParser.SupportedVersion)
        {
            // The parser explains why only one version is emulated; ask it for that message.
            try
            {
                IotSqlParser.Parse(ruleName, sql ?? string.Empty, version);
            }
            catch (IotSqlException ex)
            {
                problems.Add(versionPath.Fail(ex.Message).Message);
            }
        }

        if (sql is null)
        {
            // A present but non-string Sql was reported by the reader already.
            if (!sqlGiven)
            {
                problems.Add(payloadPath.Child("Sql").Fail("the rule has no Sql").Message);
            }

            return;
        }

        // The statement itself is checked as the supported version parses it, so one run reports both problems.
        try
        {
            IotSqlParser.Parse(ruleName, sql, IotSqlParser.SupportedVersion);
        }
        catch (IotSqlException ex)
        {
            problems.Add(payloadPath.Child("Sql").Fail(ex.Message).Message);
        }
    }

    private static SqsRuleAction? ReadAction(JsonNode? node, TemplatePath path, StackModel model, List<string> problems)
    {
        // An action is an object with one property, named for its type: {"Sqs": {...}}.
        if (node is not JsonObject { Count: 1 } action)
        {
            problems.Add(path.Fail("an action must be an object with exactly one action type, e.g. {\"Sqs\": {...}}").Message);
            return null;
        }

        var (type, settings) = action.First();
        var at = path.Child(type);
        if (type != "Sqs")
        {
            problems.Add(at.Fail($"the {type} action is not emulated by the local stack; only Sqs is").Message);
            return null;
        }

        if (settings is not JsonObject sqs)
        {
            problems.Add(at.Fail("the Sqs action must be an object {QueueUrl, RoleArn, UseBase64}").Message);
            return null;
        }

        string? url = null, role = null;
        var base64 = false;
        var before = problems.Count;
        Try(problems, () => url = StackModel.String(sqs, "QueueUrl", at));
        Try(problems, () => role = StackModel.String(sqs, "RoleArn", at));
        Try(problems, () => base64 = StackModel.Bool(sqs, "UseBase64", false, at));
        if (problems.Count > before)
        {
            return null;
        }

        if (url is null)
        {
            problems.Add(at.Child("QueueUrl").Fail("the Sqs action has no QueueUrl").Message);
            return null;
        }

        if (!model.Queues.Values.Any(q => q.Url == url))
        {
            var hint = model.QueueByArnOrUrl(url) is { } byArn
                ? $"it is the ARN of {byArn.LogicalId}; the Sqs action takes the queue's URL ({{\"Ref\": \"{byArn.LogicalId}\"}})"
                : $"it is not the URL of a queue of this template, the only queues the local stack creates ({string.Join(", ", model.Queues.Keys)})";
            problems.Add(at.Child("QueueUrl").Fail($"'{url}': {hint}").Message);
            return null;
        }

        return new SqsRuleAction(url, base64, role);
    }

    private static void Try(List<string> problems, Action read)
    {
        try
        {
            read();
        }
        catch (TemplateException ex)
        {
            problems.Add(ex.Message);
        }
    }
}
