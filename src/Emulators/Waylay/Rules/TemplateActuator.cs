using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Queueing.Emulators.Waylay.Rules;

/// <summary>
/// An actuator node: the plug it runs (<see cref="Plugin"/> <see cref="Version"/>, a plug of <c>waylay/plugins/</c>)
/// and its properties. Before each execution the rule engine fills in Waylay's placeholders in string properties:
/// <c>{{RESOURCE}}</c> (the task's resource) and <c>{{label.parameter}}</c>, <c>{{label.threshold}}</c>,
/// <c>{{label.state}}</c> of a sensor of the task.
/// </summary>
public sealed partial record TemplateActuator(
    string Label,
    string Plugin,
    string Version,
    IReadOnlyList<KeyValuePair<string, JsonNode?>> Properties,
    TimeSpan Timeout)
{
    public const string ResourcePlaceholder = "RESOURCE";

    /// <summary>The placeholders in <paramref name="text"/>, as written between the braces (trimmed).</summary>
    public static IEnumerable<string> Placeholders(string text) =>
        Placeholder().Matches(text).Select(m => m.Groups[1].Value);

    /// <summary>The properties the plug receives for one firing.</summary>
    public JsonObject RenderProperties(string resource, IReadOnlyDictionary<string, SensorObservation> observations)
    {
        var properties = new JsonObject();
        foreach (var (name, value) in Properties)
        {
            properties[name] = value is JsonValue v && v.TryGetValue<string>(out var text)
                ? Render(text, resource, observations)
                : value?.DeepClone();
        }

        return properties;
    }

    public static string Render(string template, string resource, IReadOnlyDictionary<string, SensorObservation> observations) =>
        Placeholder().Replace(template, match =>
        {
            var name = match.Groups[1].Value;
            if (name == ResourcePlaceholder)
            {
                return resource;
            }

            var dot = name.LastIndexOf('.');
            return observations.TryGetValue(name[..dot], out var observed)
                ? name[(dot + 1)..] switch
                {
                    "parameter" => observed.Value.ToString("R", CultureInfo.InvariantCulture),
                    "threshold" => observed.Threshold.ToString("R", CultureInfo.InvariantCulture),
                    _ => observed.State,
                }
                // A sensor that has not observed anything yet: the placeholder is left empty.
                : "";
        });

    [GeneratedRegex(@"\{\{\s*([^{}]+?)\s*\}\}")]
    private static partial Regex Placeholder();
}
