using System.Text.Json;
using System.Text.Json.Nodes;

namespace Queueing.Local.Functions;

/// <summary>
/// An <c>--env-vars</c> file in the shape <c>sam local invoke --env-vars</c> reads:
/// <c>{"FunctionLogicalId": {"VAR": "value"}, "Parameters": {"VAR": "value"}}</c>; <c>Parameters</c> applies to
/// every function, a function's own section wins. As with SAM, only variables the template declares are set.
/// </summary>
internal sealed class EnvVarsFile
{
    private readonly Dictionary<string, Dictionary<string, string>> _sections;

    private EnvVarsFile(Dictionary<string, Dictionary<string, string>> sections) => _sections = sections;

    public static EnvVarsFile Empty { get; } = new([]);

    public static EnvVarsFile Parse(string json, string source)
    {
        JsonNode? root;
        try
        {
            root = JsonNode.Parse(json);
        }
        catch (JsonException ex)
        {
            throw new FormatException($"{source} is not valid JSON: {ex.Message}", ex);
        }

        if (root is not JsonObject sections)
        {
            throw new FormatException($"{source} must be a JSON object: {{\"FunctionLogicalId\": {{\"VAR\": \"value\"}}, \"Parameters\": {{...}}}}.");
        }

        var result = new Dictionary<string, Dictionary<string, string>>(StringComparer.Ordinal);
        foreach (var (section, variables) in sections)
        {
            if (variables is not JsonObject map)
            {
                throw new FormatException($"{source}: '{section}' must be an object of variable names to values.");
            }

            result[section] = map.ToDictionary(
                v => v.Key,
                v => v.Value switch
                {
                    JsonValue value when value.TryGetValue(out string? s) => s,
                    JsonValue value => value.ToJsonString(),
                    _ => throw new FormatException($"{source}: {section}.{v.Key} must be a string, number or boolean."),
                },
                StringComparer.Ordinal);
        }

        return new EnvVarsFile(result);
    }

    /// <summary>The overrides for a function; <paramref name="ignored"/> lists variables it does not declare.</summary>
    public IReadOnlyDictionary<string, string> For(string logicalId, IReadOnlyDictionary<string, string> declared, out IReadOnlyList<string> ignored)
    {
        var overrides = new Dictionary<string, string>(StringComparer.Ordinal);
        var skipped = new List<string>();
        foreach (var section in new[] { "Parameters", logicalId })
        {
            foreach (var (name, value) in _sections.GetValueOrDefault(section) ?? [])
            {
                if (declared.ContainsKey(name))
                {
                    overrides[name] = value;
                }
                else if (section == logicalId)
                {
                    skipped.Add(name);
                }
            }
        }

        ignored = skipped;
        return overrides;
    }
}
