using System.Globalization;
using System.Text.Json.Nodes;
using Queueing.Testing;

namespace Queueing.Template.Tests.Support;

/// <summary>serverless.template as parsed JSON, with the lookups the invariant tests share.</summary>
internal sealed class ServerlessTemplate
{
    public const string FunctionType = "AWS::Serverless::Function";
    public const string QueueType = "AWS::SQS::Queue";

    private static readonly Lazy<ServerlessTemplate> Repository = new(() => Load(RepositoryRoot.File("serverless.template")));

    private ServerlessTemplate(JsonObject root) => Root = root;

    /// <summary>The repository's template, parsed once per test run (tests only read it).</summary>
    public static ServerlessTemplate Current => Repository.Value;

    public JsonObject Root { get; }

    public JsonObject Resources => Root["Resources"]!.AsObject();

    public JsonObject Parameters => Root["Parameters"]!.AsObject();

    public JsonObject Outputs => Root["Outputs"]!.AsObject();

    public static ServerlessTemplate Load(string path) =>
        new(JsonNode.Parse(File.ReadAllText(path))?.AsObject() ?? throw new InvalidDataException($"{path} is not a JSON object."));

    public JsonObject Resource(string logicalId) =>
        Resources[logicalId]?.AsObject() ?? throw new KeyNotFoundException($"No resource '{logicalId}' in serverless.template.");

    public JsonObject Properties(string logicalId) => Resource(logicalId)["Properties"]!.AsObject();

    public string TypeOf(string logicalId) => Resource(logicalId)["Type"]!.GetValue<string>();

    public IReadOnlyList<string> ResourcesOfType(string type) =>
        Resources.Where(r => r.Value?["Type"]?.GetValue<string>() == type).Select(r => r.Key).ToList();

    public JsonObject Parameter(string name) =>
        Parameters[name]?.AsObject() ?? throw new KeyNotFoundException($"No parameter '{name}' in serverless.template.");

    /// <summary>The SQS events of a function: (event name, properties).</summary>
    public IReadOnlyList<(string Name, JsonObject Properties)> SqsEvents(string functionId) =>
        Events(functionId, "SQS");

    public IReadOnlyList<(string Name, JsonObject Properties)> Events(string functionId, string type) =>
        (Properties(functionId)["Events"]?.AsObject() ?? [])
            .Where(e => e.Value?["Type"]?.GetValue<string>() == type)
            .Select(e => (e.Key, e.Value!["Properties"]!.AsObject()))
            .ToList();

    /// <summary>The queue an SQS event reads, from its <c>Queue: {Fn::GetAtt: [Id, Arn]}</c>.</summary>
    public static string QueueOf(JsonObject sqsEventProperties) => GetAttTarget(sqsEventProperties["Queue"], "Arn");

    /// <summary>The dead-letter queue named by a queue's redrive policy, or null if it has none.</summary>
    public string? DeadLetterQueueOf(string queueId) =>
        Properties(queueId)["RedrivePolicy"]?["deadLetterTargetArn"] is { } target ? GetAttTarget(target, "Arn") : null;

    /// <summary>The logical id of a <c>{Ref: Id}</c>.</summary>
    public static string RefTarget(JsonNode? node) =>
        node?["Ref"]?.GetValue<string>() ?? throw new InvalidDataException($"Expected {{\"Ref\": ...}}, found {node?.ToJsonString()}.");

    /// <summary>The logical id of a <c>{Fn::GetAtt: [Id, attribute]}</c>.</summary>
    public static string GetAttTarget(JsonNode? node, string attribute)
    {
        if (node?["Fn::GetAtt"] is JsonArray { Count: 2 } getAtt && getAtt[1]?.GetValue<string>() == attribute)
        {
            return getAtt[0]!.GetValue<string>();
        }

        throw new InvalidDataException($"Expected {{\"Fn::GetAtt\": [..., \"{attribute}\"]}}, found {node?.ToJsonString()}.");
    }

    /// <summary>
    /// The largest value a number property can take: the literal, or the MaxValue of the parameter it refers to
    /// (so a rule checked here holds for every value a deployer may choose, not just the default).
    /// </summary>
    public int UpperBound(JsonNode? node)
    {
        if (node is JsonValue value)
        {
            return value.TryGetValue<int>(out var number) ? number : int.Parse(value.GetValue<string>(), CultureInfo.InvariantCulture);
        }

        var parameter = Parameter(RefTarget(node));
        return parameter["MaxValue"]?.GetValue<int>()
            ?? throw new InvalidDataException($"Parameter '{RefTarget(node)}' has no MaxValue; the template cannot be checked for every value.");
    }

    /// <summary>The smallest value a number property can take (literal, or the parameter's MinValue).</summary>
    public int LowerBound(JsonNode? node)
    {
        if (node is JsonValue value)
        {
            return value.TryGetValue<int>(out var number) ? number : int.Parse(value.GetValue<string>(), CultureInfo.InvariantCulture);
        }

        var parameter = Parameter(RefTarget(node));
        return parameter["MinValue"]?.GetValue<int>()
            ?? throw new InvalidDataException($"Parameter '{RefTarget(node)}' has no MinValue.");
    }
}
