using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;

namespace Queueing.Emulators.Template;

/// <summary>
/// Evaluates CloudFormation intrinsic functions to local values. A construct it does not know stops with the
/// resource and property path; it never passes an unresolved function through.
/// </summary>
internal sealed class IntrinsicResolver(TemplateDocument template, TemplateParameters parameters, StackContext stack)
{
    private const string Supported = "Ref, Fn::GetAtt, Fn::Sub, Fn::Join, Fn::Split, Fn::Select, Fn::If, Fn::FindInMap, Fn::Base64";

    // The conditions and the resources' values resolve their expressions with this resolver, which reads them back:
    // each is made on first use, since a field initialiser cannot pass `this`.
    public TemplateConditions Conditions => field ??= new TemplateConditions(template, this);
    public LocalResourceValues Resources => field ??= new LocalResourceValues(template, stack, this, Conditions);

    /// <summary>The node with every intrinsic evaluated; null when it resolves to <c>AWS::NoValue</c>.</summary>
    public JsonNode? Resolve(JsonNode? node, TemplatePath path)
    {
        switch (node)
        {
            case null:
                return null;
            case JsonArray array:
                var items = new JsonArray();
                for (var i = 0; i < array.Count; i++)
                {
                    if (Resolve(array[i], path.Index(i)) is { } item)
                    {
                        items.Add(item);
                    }
                }

                return items;
            case JsonObject obj when obj.Count == 1 && IsFunction(obj.First().Key):
                var (name, argument) = obj.First();
                return Function(name, argument, path.Child(name));
            case JsonObject obj:
                var result = new JsonObject();
                foreach (var (key, value) in obj)
                {
                    if (Resolve(value, path.Child(key)) is { } resolved)
                    {
                        result[key] = resolved;
                    }
                }

                return result;
            default:
                return node.DeepClone();
        }
    }

    /// <summary>Resolves to a string (numbers and booleans convert as CloudFormation converts them).</summary>
    public string ResolveString(JsonNode? node, TemplatePath path) =>
        AsString(Resolve(node, path), path, "a string");

    internal static bool IsFunction(string key) => key == "Ref" || key.StartsWith("Fn::", StringComparison.Ordinal);

    private JsonNode? Function(string name, JsonNode? argument, TemplatePath path) => name switch
    {
        "Ref" => Ref(Literal(argument, path, "Ref takes a logical id or parameter name"), path),
        "Fn::GetAtt" => GetAtt(argument, path),
        "Fn::Sub" => JsonValue.Create(Sub(argument, path)),
        "Fn::Join" => JsonValue.Create(Join(argument, path)),
        "Fn::Split" => Split(argument, path),
        "Fn::Select" => Select(argument, path),
        "Fn::If" => If(argument, path),
        "Fn::FindInMap" => FindInMap(argument, path),
        "Fn::Base64" => JsonValue.Create(Convert.ToBase64String(Encoding.UTF8.GetBytes(ResolveString(argument, path)))),
        "Fn::Equals" or "Fn::And" or "Fn::Or" or "Fn::Not" =>
            throw path.Fail($"{name} is only allowed in the Conditions section (use Fn::If with a named condition)"),
        _ => throw path.Fail($"{name} is not supported by the local stack (supported: {Supported})"),
    };

    internal JsonNode? Ref(string name, TemplatePath path)
    {
        switch (name)
        {
            case "AWS::Region": return JsonValue.Create(stack.Region);
            case "AWS::AccountId": return JsonValue.Create(stack.AccountId);
            case "AWS::Partition": return JsonValue.Create(stack.Partition);
            case "AWS::StackName": return JsonValue.Create(stack.StackName);
            case "AWS::StackId": return JsonValue.Create(stack.StackId);
            case "AWS::URLSuffix": return JsonValue.Create(stack.UrlSuffix);
            case "AWS::NotificationARNs": return new JsonArray();
            case "AWS::NoValue": return null;
        }

        if (name.StartsWith("AWS::", StringComparison.Ordinal))
        {
            throw path.Fail($"pseudo parameter {name} is not supported by the local stack");
        }

        if (parameters.TryGet(name, out var value))
        {
            return value;
        }

        return Resources.Ref(name, path);
    }

    private JsonNode GetAtt(JsonNode? argument, TemplatePath path)
    {
        string resource, attribute;
        if (argument is JsonValue dotted && dotted.TryGetValue(out string? text))
        {
            // The short form "Resource.Attribute"; attribute names may themselves contain dots (Endpoint.Address).
            var dot = text.IndexOf('.', StringComparison.Ordinal);
            if (dot <= 0 || dot == text.Length - 1)
            {
                throw path.Fail($"'{text}' is not of the form Resource.Attribute");
            }

            (resource, attribute) = (text[..dot], text[(dot + 1)..]);
        }
        else if (argument is JsonArray { Count: 2 } pair)
        {
            resource = Literal(pair[0], path.Index(0), "the resource of Fn::GetAtt must be a logical id");
            attribute = ResolveString(pair[1], path.Index(1));
        }
        else
        {
            throw path.Fail("Fn::GetAtt takes [LogicalId, Attribute] or \"LogicalId.Attribute\"");
        }

        return Resources.GetAtt(resource, attribute, path);
    }

    private string Sub(JsonNode? argument, TemplatePath path)
    {
        string text;
        JsonObject? variables = null;
        switch (argument)
        {
            case JsonValue value when value.TryGetValue(out string? s):
                text = s;
                break;
            case JsonArray { Count: 2 } pair when pair[0] is JsonValue first && first.TryGetValue(out string? s):
                text = s;
                variables = pair[1] as JsonObject ?? throw path.Index(1).Fail("the variables of Fn::Sub must be an object");
                break;
            default:
                throw path.Fail("Fn::Sub takes a string or [string, {variables}]");
        }

        var output = new StringBuilder(text.Length);
        var position = 0;
        while (position < text.Length)
        {
            var start = text.IndexOf("${", position, StringComparison.Ordinal);
            if (start < 0)
            {
                output.Append(text, position, text.Length - position);
                break;
            }

            output.Append(text, position, start - position);
            var end = text.IndexOf('}', start + 2);
            if (end < 0)
            {
                throw path.Fail($"unclosed '${{' at offset {start} in \"{text}\"");
            }

            var reference = text[(start + 2)..end];
            position = end + 1;
            if (reference.StartsWith('!'))
            {
                // ${!Literal} writes ${Literal} without substituting.
                output.Append("${").Append(reference, 1, reference.Length - 1).Append('}');
                continue;
            }

            output.Append(Substitute(reference.Trim(), variables, path));
        }

        return output.ToString();
    }

    private string Substitute(string reference, JsonObject? variables, TemplatePath path)
    {
        if (reference.Length == 0)
        {
            throw path.Fail("empty ${} in Fn::Sub");
        }

        if (variables is not null && variables.TryGetPropertyValue(reference, out var variable))
        {
            return ResolveString(variable, path.Index(1).Child(reference));
        }

        var dot = reference.IndexOf('.', StringComparison.Ordinal);
        var value = dot > 0 && !reference.StartsWith("AWS::", StringComparison.Ordinal)
            ? Resources.GetAtt(reference[..dot], reference[(dot + 1)..], path)
            : Ref(reference, path);
        return AsString(value, path, $"a string for ${{{reference}}}");
    }

    private string Join(JsonNode? argument, TemplatePath path)
    {
        if (argument is not JsonArray { Count: 2 } pair)
        {
            throw path.Fail("Fn::Join takes [delimiter, [values]]");
        }

        var delimiter = Literal(pair[0], path.Index(0), "the delimiter of Fn::Join must be a string");
        var list = List(pair[1], path.Index(1), "Fn::Join");
        return string.Join(delimiter, list.Select((item, i) => AsString(item, path.Index(1).Index(i), "a string")));
    }

    private JsonArray Split(JsonNode? argument, TemplatePath path)
    {
        if (argument is not JsonArray { Count: 2 } pair)
        {
            throw path.Fail("Fn::Split takes [delimiter, string]");
        }

        var delimiter = Literal(pair[0], path.Index(0), "the delimiter of Fn::Split must be a string");
        if (delimiter.Length == 0)
        {
            throw path.Index(0).Fail("the delimiter of Fn::Split must not be empty");
        }

        var source = ResolveString(pair[1], path.Index(1));
        return [.. source.Split(delimiter).Select(part => (JsonNode?)JsonValue.Create(part))];
    }

    private JsonNode? Select(JsonNode? argument, TemplatePath path)
    {
        if (argument is not JsonArray { Count: 2 } pair)
        {
            throw path.Fail("Fn::Select takes [index, [values]]");
        }

        var indexText = ResolveString(pair[0], path.Index(0));
        if (!int.TryParse(indexText, NumberStyles.None, CultureInfo.InvariantCulture, out var index))
        {
            throw path.Index(0).Fail($"the index of Fn::Select must be a non-negative integer, got '{indexText}'");
        }

        var list = List(pair[1], path.Index(1), "Fn::Select");
        if (index >= list.Count)
        {
            throw path.Fail($"index {index} is out of range: the list has {list.Count} item(s)");
        }

        return list[index]?.DeepClone();
    }

    private JsonNode? If(JsonNode? argument, TemplatePath path)
    {
        if (argument is not JsonArray { Count: 3 } triple)
        {
            throw path.Fail("Fn::If takes [ConditionName, valueIfTrue, valueIfFalse]");
        }

        var condition = Literal(triple[0], path.Index(0), "the condition of Fn::If must be a condition name");
        return Conditions.IsTrue(condition, path.Index(0))
            ? Resolve(triple[1], path.Index(1))
            : Resolve(triple[2], path.Index(2));
    }

    private JsonNode FindInMap(JsonNode? argument, TemplatePath path)
    {
        if (argument is not JsonArray { Count: 3 } keys)
        {
            throw path.Fail("Fn::FindInMap takes [MapName, TopLevelKey, SecondLevelKey]");
        }

        var map = ResolveString(keys[0], path.Index(0));
        var top = ResolveString(keys[1], path.Index(1));
        var second = ResolveString(keys[2], path.Index(2));
        var value = (template.Mappings[map] as JsonObject)?[top] is JsonObject level ? level[second] : null;
        return value?.DeepClone() ?? throw path.Fail($"Mappings has no {map}.{top}.{second}");
    }

    private JsonArray List(JsonNode? node, TemplatePath path, string function) =>
        Resolve(node, path) as JsonArray ?? throw path.Fail($"{function} needs a list here");

    private static string Literal(JsonNode? node, TemplatePath path, string problem) =>
        node is JsonValue value && value.TryGetValue(out string? text) ? text : throw path.Fail(problem);

    internal static string AsString(JsonNode? node, TemplatePath path, string expected) => node switch
    {
        JsonValue value when value.TryGetValue(out string? s) => s,
        JsonValue value when value.TryGetValue(out bool b) => b ? "true" : "false",
        JsonValue value => value.ToJsonString(),
        null => throw path.Fail($"expected {expected}, got AWS::NoValue"),
        JsonArray => throw path.Fail($"expected {expected}, got a list"),
        _ => throw path.Fail($"expected {expected}, got an object"),
    };
}
