using System.Text.Json.Nodes;
using Queueing.Local.Waylay.Broker;

namespace Queueing.Local.Waylay.Rules;

public static partial class TemplateLoader
{
    private static TemplateActuator? ParseActuator(
        JsonObject node, int index, IReadOnlyCollection<string> webscripts, IReadOnlyDictionary<string, string> variables, Action<string> problem)
    {
        var label = Text(node, "label") ?? $"#{index}";
        var where = $"actuator '{label}'";
        void Problem(string message) => problem($"{where}: {message}");

        Unknown(node, ActuatorKeys, where, problem);
        if (Text(node, "label") is null)
        {
            Problem("has no label.");
        }

        var plugin = Text(node, "name");
        if (plugin != WebscriptActuatorPlugin)
        {
            Problem($"plugin '{plugin ?? "(none)"}' cannot run in the sandbox; it runs the '{WebscriptActuatorPlugin}' plugin only (a call to a webscript of waylay/webscripts/).");
            return null;
        }

        if (node["properties"] is not JsonObject properties)
        {
            Problem("has no properties: a webscriptActuator needs at least 'url'.");
            return null;
        }

        var url = Text(properties, "url") is { } rawUrl ? Substitute(rawUrl, variables, $"{where} properties.url", problem) : null;
        var webscript = url is null ? null : WebscriptName(url);
        if (webscript is null)
        {
            Problem($"properties.url {properties["url"]?.ToJsonString() ?? "(none)"} must be the webscript's URL (or a ${{...}} variable naming it).");
        }
        else if (!webscripts.Contains(webscript, StringComparer.Ordinal))
        {
            Problem($"properties.url names webscript '{webscript}', which is not in waylay/webscripts/ (found: {(webscripts.Count == 0 ? "none" : string.Join(", ", webscripts))}).");
        }

        // Everything but the URL is what the actuator posts to the webscript.
        var body = new List<KeyValuePair<string, JsonNode?>>();
        foreach (var (name, value) in properties)
        {
            if (name == "url")
            {
                continue;
            }

            body.Add(new(name, value is JsonValue v && v.TryGetValue<string>(out var text)
                ? JsonValue.Create(Substitute(text, variables, $"{where} properties.{name}", problem))
                : value?.DeepClone()));
        }

        var timeout = DefaultActuatorTimeout;
        if (node["timeout"] is { } timeoutNode && !(Text(node, "timeout") is { } t && TtlDuration.TryParse(t, out timeout) && timeout > TimeSpan.Zero))
        {
            Problem($"timeout {timeoutNode.ToJsonString()} is not an ISO 8601 duration such as \"PT50S\".");
        }

        return url is not null && webscript is not null ? new TemplateActuator(label, plugin, url, webscript, body, timeout) : null;
    }

    /// <summary>
    /// Fills in the deployment variables (<c>${name}</c>) of a property value. An unknown variable is a problem:
    /// the sandbox would otherwise post the literal text.
    /// </summary>
    private static string Substitute(string text, IReadOnlyDictionary<string, string> variables, string where, Action<string> problem) =>
        Variable().Replace(text, match =>
        {
            if (variables.TryGetValue(match.Groups[1].Value, out var value))
            {
                return value;
            }

            problem($"{where}: variable ${{{match.Groups[1].Value}}} has no value in the sandbox (known: {(variables.Count == 0 ? "none" : string.Join(", ", variables.Keys.Order(StringComparer.Ordinal)))}).");
            return match.Value;
        });

    private static void CheckPlaceholders(TemplateActuator actuator, List<StreamingDataSensor> sensors, Action<string> problem)
    {
        var texts = actuator.BodyProperties.Select(p => p.Value is JsonValue v && v.TryGetValue<string>(out var text) ? text : "");
        foreach (var placeholder in texts.SelectMany(TemplateActuator.Placeholders).Distinct(StringComparer.Ordinal))
        {
            var dot = placeholder.LastIndexOf('.');
            var known = placeholder == TemplateActuator.ResourcePlaceholder
                || (dot > 0 && sensors.Any(s => s.Label == placeholder[..dot]) && placeholder[(dot + 1)..] is "parameter" or "threshold" or "state");
            if (!known)
            {
                problem($"actuator '{actuator.Label}': placeholder {{{{{placeholder}}}}} is not supported; use {{{{RESOURCE}}}} or {{{{<sensor label>.parameter|threshold|state}}}}.");
            }
        }
    }
}
