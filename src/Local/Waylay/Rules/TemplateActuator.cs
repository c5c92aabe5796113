using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Queueing.Local.Waylay.Rules;

/// <summary>
/// An actuator that calls a Waylay webscript: a POST to <see cref="Url"/> whose JSON body is
/// <see cref="BodyTemplate"/> with Waylay's placeholders filled in: <c>{{RESOURCE}}</c> (the task's resource) and
/// <c>{{label.parameter}}</c>, <c>{{label.threshold}}</c>, <c>{{label.state}}</c> of a sensor of the task.
/// <see cref="Webscript"/> is the webscript the URL names (its last path segment).
/// </summary>
public sealed partial record TemplateActuator(
    string Label,
    string Plugin,
    string Url,
    string Webscript,
    string BodyTemplate,
    TimeSpan Timeout)
{
    public const string ResourcePlaceholder = "RESOURCE";

    /// <summary>The placeholders in <paramref name="text"/>, as written between the braces (trimmed).</summary>
    public static IEnumerable<string> Placeholders(string text) =>
        Placeholder().Matches(text).Select(m => m.Groups[1].Value);

    /// <summary>The body for one firing; values are JSON-escaped so they are safe inside JSON strings.</summary>
    public string RenderBody(string resource, IReadOnlyDictionary<string, SensorObservation> observations) =>
        Render(BodyTemplate, resource, observations);

    public static string Render(string template, string resource, IReadOnlyDictionary<string, SensorObservation> observations) =>
        Placeholder().Replace(template, match =>
        {
            var name = match.Groups[1].Value;
            if (name == ResourcePlaceholder)
            {
                return Escape(resource);
            }

            var dot = name.LastIndexOf('.');
            return observations.TryGetValue(name[..dot], out var observed)
                ? name[(dot + 1)..] switch
                {
                    "parameter" => observed.Value.ToString("R", CultureInfo.InvariantCulture),
                    "threshold" => observed.Threshold.ToString("R", CultureInfo.InvariantCulture),
                    _ => Escape(observed.State),
                }
                // A sensor that has not observed anything yet: Waylay leaves such a placeholder empty.
                : "";
        });

    private static string Escape(string value)
    {
        var quoted = JsonSerializer.Serialize(value);
        return quoted[1..^1];
    }

    [GeneratedRegex(@"\{\{\s*([^{}]+?)\s*\}\}")]
    private static partial Regex Placeholder();
}
