using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Queueing.Emulators.Waylay.Broker;
using Queueing.Emulators.Waylay.Plugs;

namespace Queueing.Emulators.Waylay.Rules;

public static partial class TemplateLoader
{
    // The schema has already checked the node's shape (ActuatorNode: label, name, version, properties, timeout, ...).
    private static TemplateActuator? ParseActuator(JsonObject node, int index, PlugCatalog plugs, Action<string> problem)
    {
        var label = Text(node, "label") ?? $"#{index}";
        var where = $"actuator '{label}'";
        void Problem(string message) => problem($"{where}: {message}");

        var plugin = Text(node, "name")!;
        var version = Text(node, "version")!;
        var plug = plugs.Find(plugin, version);
        if (plug is null)
        {
            var versions = plugs.VersionsOf(plugin);
            Problem(versions.Count > 0
                ? $"plug {plugin} {version} is not in waylay/plugins/ (shipped: {string.Join(", ", versions)})."
                : $"plug '{plugin}' cannot run in the sandbox: it runs the plugs of waylay/plugins/ ({string.Join(", ", plugs.Plugs.Select(p => $"{p.Name} {p.Version}"))}).");
            return null;
        }

        if (plug.Type != "actuator")
        {
            Problem($"plug {plugin} {version} is a {plug.Type}, not an actuator.");
            return null;
        }

        var properties = node["properties"] as JsonObject ?? [];
        foreach (var missing in plug.MandatoryInputs.Where(i => properties[i] is null))
        {
            Problem($"property '{missing}' is mandatory for {plugin} (plug.json interface.input).");
        }

        foreach (var unknown in properties.Select(p => p.Key).Where(k => !plug.Inputs.Contains(k, StringComparer.Ordinal)))
        {
            Problem($"property '{unknown}' is not an input of {plugin} ({string.Join(", ", plug.Inputs)}).");
        }

        foreach (var (name, value) in properties)
        {
            if (value is JsonValue v && v.TryGetValue<string>(out var text) && Binding().IsMatch(text))
            {
                // The rules engine reads ${...} as a binding (e.g. ${nodes.x.rawData.y}) and validates it; the
                // sandbox does not evaluate bindings, so it would pass the literal text to the plug.
                Problem($"properties.{name}: ${{...}} bindings are not supported by the sandbox; configure the actuator through its properties.");
            }
        }

        var timeout = DefaultActuatorTimeout;
        if (node["timeout"] is { } timeoutNode && !(Text(node, "timeout") is { } t && TtlDuration.TryParse(t, out timeout) && timeout > TimeSpan.Zero))
        {
            Problem($"timeout {timeoutNode.ToJsonString()} is not an ISO 8601 duration such as \"PT50S\".");
        }

        return new TemplateActuator(label, plugin, version, properties.Select(p => KeyValuePair.Create(p.Key, p.Value?.DeepClone())).ToList(), timeout);
    }

    private static void CheckPlaceholders(TemplateActuator actuator, List<StreamingDataSensor> sensors, Action<string> problem)
    {
        var texts = actuator.Properties.Select(p => p.Value is JsonValue v && v.TryGetValue<string>(out var text) ? text : "");
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

    [GeneratedRegex(@"\$\{[^{}]*\}")]
    private static partial Regex Binding();
}
