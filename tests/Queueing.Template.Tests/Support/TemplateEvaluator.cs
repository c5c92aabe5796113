using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Queueing.Template.Tests.Support;

// Kept on purpose beside src/Emulators/Template/IntrinsicResolver.cs (the local stack's resolver): this is the
// independent check. The template tests assert what a deployment gets through a resolver written apart from the
// emulator's, so a misreading of CloudFormation's rules in the emulator cannot make the template tests agree
// with it. Do not replace it with the emulator's resolver.

/// <summary>
/// Resolves the CloudFormation intrinsic functions the template uses (Ref, Fn::GetAtt, Fn::Sub, Fn::Join,
/// Fn::Split, Fn::Select, Fn::If and the condition functions) for a chosen set of parameter values, so tests
/// can assert the concrete ARNs, topics and SQL a deployment gets rather than the shape of the expressions.
/// Resources are not deployed, so a resource Ref becomes <c>ref:Id</c> and a GetAtt <c>getatt:Id.Attribute</c>.
/// </summary>
internal sealed partial class TemplateEvaluator
{
    public const string Partition = "aws";
    public const string Region = "eu-west-1";
    public const string AccountId = "123456789012";
    public const string StackName = "queueing";

    // A marker for AWS::NoValue; never added to a result, only compared by reference.
    private static readonly JsonValue NoValue = JsonValue.Create("AWS::NoValue");

    private readonly ServerlessTemplate _template;
    private readonly string _stackName;
    private readonly Dictionary<string, string> _parameters = new(StringComparer.Ordinal);

    public TemplateEvaluator(ServerlessTemplate template, IReadOnlyDictionary<string, string>? overrides = null, string stackName = StackName)
    {
        _template = template;
        _stackName = stackName;
        foreach (var (name, definition) in template.Parameters)
        {
            if (definition?["Default"] is JsonValue value)
            {
                _parameters[name] = Scalar(value);
            }
        }

        foreach (var (name, value) in overrides ?? new Dictionary<string, string>())
        {
            if (!template.Parameters.ContainsKey(name))
            {
                throw new ArgumentException($"The template has no parameter '{name}'.", nameof(overrides));
            }

            _parameters[name] = value;
        }
    }

    /// <summary>An evaluator for a deployable parameter set: the defaults, the one required parameter, the overrides.</summary>
    public static TemplateEvaluator ForDeployment(ServerlessTemplate template, params (string Name, string Value)[] overrides) =>
        ForStack(template, StackName, overrides);

    /// <summary>As <see cref="ForDeployment"/>, deployed as the stack <paramref name="stackName"/>.</summary>
    public static TemplateEvaluator ForStack(ServerlessTemplate template, string stackName, params (string Name, string Value)[] overrides)
    {
        var values = overrides.ToDictionary(o => o.Name, o => o.Value);
        // The one parameter without a default (it is account specific).
        values.TryAdd("IotDataEndpoint", "abc123-ats.iot.eu-west-1.amazonaws.com");
        return new TemplateEvaluator(template, values, stackName);
    }

    public JsonNode? Evaluate(JsonNode? node)
    {
        var result = Resolve(node);
        return ReferenceEquals(result, NoValue) ? null : result;
    }

    public string EvaluateString(JsonNode? node) =>
        Resolve(node) is JsonValue value && !ReferenceEquals(value, NoValue)
            ? Scalar(value)
            : throw new InvalidDataException($"{node?.ToJsonString()} does not resolve to a string.");

    /// <summary>A resource's properties with every intrinsic resolved.</summary>
    public JsonNode? ResolvedProperties(string logicalId) => Evaluate(_template.Properties(logicalId));

    /// <summary>Whether every assertion of the template's rule holds (its RuleCondition, if any, holding), as
    /// CloudFormation checks before it creates or updates anything.</summary>
    public bool RuleHolds(string name)
    {
        var rule = _template.Root["Rules"]?[name] ?? throw new KeyNotFoundException($"No rule '{name}'.");
        return (rule["RuleCondition"] is { } condition && !IsTrue(condition))
            || rule["Assertions"]!.AsArray().All(a => IsTrue(a!["Assert"]!));
    }

    public bool Condition(string name) =>
        IsTrue(_template.Root["Conditions"]?[name] ?? throw new KeyNotFoundException($"No condition '{name}'."));

    private JsonNode? Resolve(JsonNode? node)
    {
        switch (node)
        {
            case null:
                return null;
            case JsonArray array:
                var items = new JsonArray();
                foreach (var item in array)
                {
                    var resolved = Resolve(item);
                    if (!ReferenceEquals(resolved, NoValue))
                    {
                        items.Add(resolved);
                    }
                }

                return items;
            case JsonObject { Count: 1 } intrinsic when intrinsic.First() is var (name, argument) && (name == "Ref" || name.StartsWith("Fn::", StringComparison.Ordinal)):
                return ResolveIntrinsic(name, argument);
            case JsonObject obj:
                var properties = new JsonObject();
                foreach (var (name, value) in obj)
                {
                    var resolved = Resolve(value);
                    if (!ReferenceEquals(resolved, NoValue))
                    {
                        properties[name] = resolved;
                    }
                }

                return properties;
            default:
                return node.DeepClone();
        }
    }

    private JsonNode? ResolveIntrinsic(string name, JsonNode? argument)
    {
        switch (name)
        {
            case "Ref":
                return Ref(argument!.GetValue<string>());
            case "Fn::GetAtt":
                var getAtt = argument!.AsArray();
                return JsonValue.Create($"getatt:{getAtt[0]!.GetValue<string>()}.{getAtt[1]!.GetValue<string>()}");
            case "Fn::Sub":
                return JsonValue.Create(Sub(argument!));
            case "Fn::Join":
                var join = argument!.AsArray();
                var parts = Resolve(join[1])!.AsArray().Select(p => Scalar(p!.AsValue()));
                return JsonValue.Create(string.Join(join[0]!.GetValue<string>(), parts));
            case "Fn::Split":
                var split = argument!.AsArray();
                var pieces = EvaluateString(split[1]).Split(split[0]!.GetValue<string>());
                return new JsonArray(pieces.Select(p => (JsonNode?)JsonValue.Create(p)).ToArray());
            case "Fn::Select":
                var select = argument!.AsArray();
                var index = int.Parse(EvaluateString(select[0]), CultureInfo.InvariantCulture);
                return Resolve(select[1])!.AsArray()[index]!.DeepClone();
            case "Fn::If":
                var branches = argument!.AsArray();
                return Resolve(Condition(branches[0]!.GetValue<string>()) ? branches[1] : branches[2]);
            default:
                throw new NotSupportedException($"The evaluator does not know {name}; teach it before using it in the template.");
        }
    }

    private JsonValue Ref(string name) => name switch
    {
        "AWS::Partition" => JsonValue.Create(Partition),
        "AWS::Region" => JsonValue.Create(Region),
        "AWS::AccountId" => JsonValue.Create(AccountId),
        "AWS::StackName" => JsonValue.Create(_stackName),
        "AWS::URLSuffix" => JsonValue.Create("amazonaws.com"),
        "AWS::NoValue" => NoValue,
        _ when _parameters.TryGetValue(name, out var value) => JsonValue.Create(value),
        _ when _template.Parameters.ContainsKey(name) => throw new InvalidOperationException($"Parameter '{name}' has no default; pass a value."),
        _ when _template.Resources.ContainsKey(name) => JsonValue.Create($"ref:{name}"),
        _ => throw new KeyNotFoundException($"Ref to unknown '{name}'."),
    };

    private string Sub(JsonNode argument)
    {
        string text;
        var variables = new Dictionary<string, string>(StringComparer.Ordinal);
        if (argument is JsonArray list)
        {
            text = list[0]!.GetValue<string>();
            foreach (var (name, value) in list[1]!.AsObject())
            {
                variables[name] = EvaluateString(value);
            }
        }
        else
        {
            text = argument.GetValue<string>();
        }

        return SubVariable().Replace(text, match =>
        {
            var reference = match.Groups[1].Value;
            if (reference.StartsWith('!'))
            {
                // ${!Literal} is CloudFormation's escape: it stays as ${Literal} (IoT policy variables).
                return "${" + reference[1..] + "}";
            }

            if (variables.TryGetValue(reference, out var variable))
            {
                return variable;
            }

            return reference.Contains('.', StringComparison.Ordinal) && !reference.StartsWith("AWS::", StringComparison.Ordinal)
                ? $"getatt:{reference}"
                : Scalar(Ref(reference));
        });
    }

    private bool IsTrue(JsonNode condition)
    {
        var (name, argument) = condition.AsObject().Single();
        return name switch
        {
            "Fn::Equals" => EvaluateString(argument![0]) == EvaluateString(argument[1]),
            "Fn::Not" => !IsTrue(argument![0]!),
            "Fn::And" => argument!.AsArray().All(c => IsTrue(c!)),
            "Fn::Or" => argument!.AsArray().Any(c => IsTrue(c!)),
            "Condition" => Condition(argument!.GetValue<string>()),
            // A rule function: the string matches one of the list's.
            "Fn::Contains" => argument![0]!.AsArray().Any(v => EvaluateString(v) == EvaluateString(argument[1])),
            _ => throw new NotSupportedException($"Unknown condition function {name}."),
        };
    }

    private static string Scalar(JsonValue value) => value.GetValueKind() switch
    {
        System.Text.Json.JsonValueKind.String => value.GetValue<string>(),
        System.Text.Json.JsonValueKind.Number => value.ToJsonString(),
        System.Text.Json.JsonValueKind.True => "true",
        System.Text.Json.JsonValueKind.False => "false",
        _ => throw new InvalidDataException($"{value.ToJsonString()} is not a scalar."),
    };

    [GeneratedRegex(@"\$\{([^}]*)\}")]
    private static partial Regex SubVariable();
}
