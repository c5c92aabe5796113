using System.Text.Json.Nodes;

namespace Queueing.Template.Tests.Support;

/// <summary>A policy statement found in the template, with the resource that holds it.</summary>
internal sealed record PolicyStatement(string Owner, string OwnerType, JsonObject Statement)
{
    public IReadOnlyList<string> Actions => Strings(Statement["Action"]);

    public IReadOnlyList<string> Resources => Strings(Statement["Resource"]);

    /// <summary>A policy element that is one string or a list of strings (Action, Resource, a condition value).</summary>
    public static IReadOnlyList<string> Strings(JsonNode? node) => node switch
    {
        null => [],
        JsonArray array => array.Select(a => a!.GetValue<string>()).ToList(),
        _ => [node.GetValue<string>()],
    };

    public string Sid => Statement["Sid"]?.GetValue<string>() ?? "(no Sid)";

    public override string ToString() => $"{Owner} ({OwnerType}) {Sid}";
}

/// <summary>
/// Finds every policy statement in a template: IAM role inline and trust policies, IAM policies, SAM function
/// Policies, IoT policies — anything under a <c>Statement</c> key, so a statement added later cannot hide.
/// </summary>
internal static class PolicyStatements
{
    /// <summary>
    /// Statements as written, with both branches of an <c>Fn::If</c> around a statement, so a check covers every
    /// deployment whatever its conditions resolve to. Action lists are literal in this template.
    /// </summary>
    public static IReadOnlyList<PolicyStatement> Raw(ServerlessTemplate template) =>
        template.Resources.SelectMany(r => Find(r.Key, r.Value!["Type"]!.GetValue<string>(), r.Value["Properties"])).ToList();

    /// <summary>Statements of the template resolved for one set of parameter values.</summary>
    public static IReadOnlyList<PolicyStatement> Resolved(ServerlessTemplate template, TemplateEvaluator evaluator) =>
        template.Resources
            .SelectMany(r => Find(r.Key, r.Value!["Type"]!.GetValue<string>(), evaluator.ResolvedProperties(r.Key)))
            .ToList();

    private static IEnumerable<PolicyStatement> Find(string owner, string ownerType, JsonNode? node)
    {
        switch (node)
        {
            case JsonObject obj:
                foreach (var (name, value) in obj)
                {
                    var found = name == "Statement"
                        ? StatementsIn(value).Select(s => new PolicyStatement(owner, ownerType, s))
                        : Find(owner, ownerType, value);
                    foreach (var statement in found)
                    {
                        yield return statement;
                    }
                }

                break;
            case JsonArray array:
                foreach (var statement in array.SelectMany(item => Find(owner, ownerType, item)))
                {
                    yield return statement;
                }

                break;
        }
    }

    private static IEnumerable<JsonObject> StatementsIn(JsonNode? node)
    {
        switch (node)
        {
            case JsonArray array:
                return array.SelectMany(StatementsIn);
            case JsonObject obj when obj["Fn::If"] is JsonArray branches:
                return StatementsIn(branches[1]).Concat(StatementsIn(branches[2]));
            case JsonObject obj when obj.ContainsKey("Ref"):
                return []; // AWS::NoValue: the statement is left out
            case JsonObject obj:
                return [obj];
            default:
                return [];
        }
    }
}
