using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Queueing.Local.Waylay.Rules;

/// <summary>
/// A <c>webscriptActuator</c>: it POSTs its properties other than <c>url</c> as a JSON object to the webscript at
/// <see cref="Url"/>, string values with Waylay's placeholders filled in: <c>{{RESOURCE}}</c> (the task's
/// resource) and <c>{{label.parameter}}</c>, <c>{{label.threshold}}</c>, <c>{{label.state}}</c> of a sensor of the
/// task. <see cref="Webscript"/> is the webscript the URL names (its last path segment).
/// </summary>
public sealed partial record TemplateActuator(
    string Label,
    string Plugin,
    string Url,
    string Webscript,
    IReadOnlyList<KeyValuePair<string, JsonNode?>> BodyProperties,
    TimeSpan Timeout)
{
    public const string ResourcePlaceholder = "RESOURCE";

    /// <summary>The placeholders in <paramref name="text"/>, as written between the braces (trimmed).</summary>
    public static IEnumerable<string> Placeholders(string text) =>
        Placeholder().Matches(text).Select(m => m.Groups[1].Value);

    /// <summary>The JSON body for one firing.</summary>
    public string RenderBody(string resource, IReadOnlyDictionary<string, SensorObservation> observations)
    {
        var body = new JsonObject();
        foreach (var (name, value) in BodyProperties)
        {
            body[name] = value is JsonValue v && v.TryGetValue<string>(out var text)
                ? Render(text, resource, observations)
                : value?.DeepClone();
        }

        return body.ToJsonString();
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
