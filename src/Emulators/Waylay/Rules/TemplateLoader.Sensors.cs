using System.Text.Json.Nodes;

namespace Queueing.Emulators.Waylay.Rules;

public static partial class TemplateLoader
{
    // The schema has already checked the node's shape (SensorNode: label, name, version, resource, properties, ...).
    private static StreamingDataSensor? ParseSensor(JsonObject node, int index, Action<string> problem)
    {
        var label = Text(node, "label") ?? $"#{index}";
        var where = $"sensor '{label}'";
        void Problem(string message) => problem($"{where}: {message}");

        var plugin = Text(node, "name");
        if (plugin != StreamingDataSensor.PluginName)
        {
            Problem($"plugin '{plugin ?? "(none)"}' cannot run in the sandbox; it runs the '{StreamingDataSensor.PluginName}' plugin only.");
            return null;
        }

        var version = Text(node, "version")!;
        if (!StreamingDataSensor.DocumentedVersions.Contains(version, StringComparer.Ordinal))
        {
            Problem($"{StreamingDataSensor.PluginName} {version} is not a documented version ({string.Join(", ", StreamingDataSensor.DocumentedVersions)}).");
        }

        if (Text(node, "resource") != "$")
        {
            Problem($"resource {node["resource"]?.ToJsonString() ?? "(none)"}: the sandbox runs one task per resource and needs \"resource\": \"$\" (the task's resource).");
        }

        if (node["dataTrigger"] is { } dataTrigger && dataTrigger.ToJsonString() != "true")
        {
            Problem("dataTrigger is not true: a streaming data sensor in a reactive task runs only on data.");
        }

        if (node["pauseExecution"] is { } pause && pause.ToJsonString() != "false")
        {
            Problem("pauseExecution is not supported by the sandbox.");
        }

        foreach (var key in new[] { "pollingPeriod", "schedule", "loopDef", "retryConfig" }.Where(k => node[k] is not null))
        {
            Problem($"{key} is not supported by the sandbox (it runs the sensor on data only, once per event).");
        }

        var properties = node["properties"] as JsonObject;
        if (properties is null)
        {
            Problem("has no properties: a streamingDataSensor needs 'parameter' and 'threshold'.");
            return null;
        }

        Unknown(properties, ["parameter", "threshold"], $"{where} properties", problem);
        var parameter = Text(properties, "parameter");
        if (string.IsNullOrEmpty(parameter))
        {
            Problem("properties.parameter must name the event property to watch (e.g. \"temperature\").");
        }

        var threshold = Number(properties["threshold"]);
        if (threshold is null)
        {
            Problem($"properties.threshold {properties["threshold"]?.ToJsonString() ?? "(none)"} is not a number.");
        }

        // SensorNode.evictionTime: "Time (in milliseconds) after which sensor goes back to default state".
        TimeSpan? eviction = null;
        if (node["evictionTime"] is { } evictionNode)
        {
            eviction = Number(evictionNode) is { } milliseconds && milliseconds > 0 ? TimeSpan.FromMilliseconds(milliseconds) : null;
            if (eviction is null)
            {
                Problem($"evictionTime {evictionNode.ToJsonString()} must be a positive number of milliseconds.");
            }
        }

        return parameter is { Length: > 0 } && threshold is { } t ? new StreamingDataSensor(label, parameter, t, eviction) : null;
    }
}
