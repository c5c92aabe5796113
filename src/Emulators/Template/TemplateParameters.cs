using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Queueing.Emulators.Template;

/// <summary>
/// The template's parameters with their local values: <c>--parameter-overrides</c> first, then <c>Default</c>,
/// validated against the declared constraints as CloudFormation would.
/// </summary>
public sealed class TemplateParameters
{
    private readonly Dictionary<string, JsonNode> _values;

    private TemplateParameters(Dictionary<string, JsonNode> values, IReadOnlyList<string> localDefaultsUsed)
    {
        _values = values;
        LocalDefaultsUsed = localDefaultsUsed;
    }

    public IReadOnlyCollection<string> Names => _values.Keys;

    /// <summary>Parameters without Default or override that took their value from the local defaults.</summary>
    public IReadOnlyList<string> LocalDefaultsUsed { get; }

    /// <param name="localDefaults">Values for parameters that have neither an override nor a Default.</param>
    public static TemplateParameters Resolve(TemplateDocument template, IReadOnlyDictionary<string, string> overrides, IReadOnlyDictionary<string, string>? localDefaults = null)
    {
        localDefaults ??= new Dictionary<string, string>();
        var localDefaultsUsed = new List<string>();
        var problems = new List<string>();
        foreach (var name in overrides.Keys.Where(name => !template.Parameters.ContainsKey(name)))
        {
            problems.Add($"--parameter-overrides names '{name}', which is not a parameter of the template (it has: {string.Join(", ", template.Parameters.Select(p => p.Key))}).");
        }

        var values = new Dictionary<string, JsonNode>(StringComparer.Ordinal);
        foreach (var (name, declaration) in template.Parameters)
        {
            var path = TemplatePath.Parameter(name);
            try
            {
                var parameter = declaration as JsonObject ?? throw path.Fail("a parameter must be an object");
                var effective = overrides;
                if (!overrides.ContainsKey(name) && parameter["Default"] is null && localDefaults.TryGetValue(name, out var local))
                {
                    effective = new Dictionary<string, string>(overrides) { [name] = local };
                    localDefaultsUsed.Add(name);
                }

                values[name] = Value(name, parameter, effective, path);
            }
            catch (TemplateException ex)
            {
                problems.Add(ex.Message);
            }
        }

        if (problems.Count > 0)
        {
            throw new TemplateException(string.Join(Environment.NewLine, problems));
        }

        return new TemplateParameters(values, localDefaultsUsed);
    }

    public bool TryGet(string name, out JsonNode value)
    {
        if (_values.TryGetValue(name, out var stored))
        {
            value = stored.DeepClone();
            return true;
        }

        value = null!;
        return false;
    }

    private static JsonNode Value(string name, JsonObject declaration, IReadOnlyDictionary<string, string> overrides, TemplatePath path)
    {
        var type = Scalar(declaration["Type"]) ?? throw path.Fail("the parameter has no Type");
        string raw;
        if (overrides.TryGetValue(name, out var overridden))
        {
            raw = overridden;
        }
        else if (type.StartsWith("AWS::SSM::Parameter::", StringComparison.Ordinal))
        {
            // Resolving it would need the real SSM parameter; locally the user passes the value instead.
            throw path.Fail($"type {type} reads an SSM parameter at deploy time; pass its local value with --parameter-overrides {name}=VALUE");
        }
        else
        {
            raw = Scalar(declaration["Default"])
                ?? throw path.Fail($"the parameter has no Default; pass a value with --parameter-overrides {name}=VALUE");
        }

        return type switch
        {
            "String" => Validated(raw, declaration, path),
            "Number" => Number(raw, declaration, path),
            "CommaDelimitedList" or "List<String>" => List(raw, item => Validated(item, declaration, path)),
            "List<Number>" => List(raw, item => Number(item, declaration, path)),
            _ when type.StartsWith("AWS::SSM::Parameter::", StringComparison.Ordinal) => JsonValue.Create(raw),
            // AWS-specific types (AWS::EC2::VPC::Id, ...) are strings validated by CloudFormation against the account.
            _ when type.StartsWith("AWS::", StringComparison.Ordinal) => JsonValue.Create(raw),
            _ when type.StartsWith("List<AWS::", StringComparison.Ordinal) => List(raw, item => JsonValue.Create(item)),
            _ => throw path.Fail($"parameter type '{type}' is not supported by the local stack"),
        };
    }

    private static JsonArray List(string raw, Func<string, JsonNode> item) =>
        [.. raw.Split(',').Select(part => (JsonNode?)item(part.Trim()))];

    private static JsonNode Validated(string value, JsonObject declaration, TemplatePath path)
    {
        if (declaration["AllowedValues"] is JsonArray allowed && !allowed.Any(a => Scalar(a) == value))
        {
            throw path.Fail($"'{value}' is not one of the AllowedValues ({string.Join(", ", allowed.Select(Scalar))})");
        }

        if (Scalar(declaration["AllowedPattern"]) is { } pattern && !Regex.IsMatch(value, $"^(?:{pattern})$", RegexOptions.None, TimeSpan.FromSeconds(1)))
        {
            throw path.Fail($"'{value}' does not match the AllowedPattern {pattern}");
        }

        if (Integer(declaration["MinLength"]) is { } min && value.Length < min)
        {
            throw path.Fail($"'{value}' is shorter than MinLength {min}");
        }

        if (Integer(declaration["MaxLength"]) is { } max && value.Length > max)
        {
            throw path.Fail($"'{value}' is longer than MaxLength {max}");
        }

        return JsonValue.Create(value);
    }

    private static JsonNode Number(string value, JsonObject declaration, TemplatePath path)
    {
        if (!double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var number))
        {
            throw path.Fail($"'{value}' is not a Number");
        }

        if (Decimal(declaration["MinValue"]) is { } min && number < min)
        {
            throw path.Fail($"{value} is below MinValue {min.ToString(CultureInfo.InvariantCulture)}");
        }

        if (Decimal(declaration["MaxValue"]) is { } max && number > max)
        {
            throw path.Fail($"{value} is above MaxValue {max.ToString(CultureInfo.InvariantCulture)}");
        }

        Validated(value, declaration, path);
        // CloudFormation hands a Number parameter to Ref as a string.
        return JsonValue.Create(value);
    }

    internal static string? Scalar(JsonNode? node) => node switch
    {
        JsonValue value when value.TryGetValue(out string? s) => s,
        JsonValue value when value.TryGetValue(out bool b) => b ? "true" : "false",
        JsonValue value => value.ToJsonString(),
        _ => null,
    };

    private static int? Integer(JsonNode? node) =>
        int.TryParse(Scalar(node), NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) ? n : null;

    private static double? Decimal(JsonNode? node) =>
        double.TryParse(Scalar(node), NumberStyles.Float, CultureInfo.InvariantCulture, out var n) ? n : null;
}
