using System.Text.Json.Nodes;

namespace Queueing.Local.Waylay.Rules;

public static partial class TemplateLoader
{
    private static StreamingDataSensor? ParseSensor(JsonObject node, int index, Action<string> problem)
    {
        var label = Text(node, "label") ?? $"#{index}";
        var where = $"sensor '{label}'";
        void Problem(string message) => problem($"{where}: {message}");

        Unknown(node, SensorKeys, where, problem);
        if (Text(node, "label") is null)
        {
            Problem("has no label.");
        }

        var plugin = Text(node, "name");
        if (plugin != StreamingDataSensor.PluginName)
        {
            Problem($"plugin '{plugin ?? "(none)"}' cannot run in the sandbox; it runs the '{StreamingDataSensor.PluginName}' plugin only.");
            return null;
        }

        var resource = node["resource"]?.ToJsonString();
        if (resource != "\"$\"")
        {
            Problem($"resource {resource ?? "(none)"}: the sandbox runs one task per resource and needs \"resource\": \"$\" (the task's resource).");
        }

        if (node["dataTrigger"] is { } dataTrigger && dataTrigger.ToJsonString() != "true")
        {
            Problem("dataTrigger is not true: a streaming data sensor in a reactive task runs only on data.");
        }

        if (node["pauseExecution"] is { } pause && pause.ToJsonString() != "false")
        {
            Problem("pauseExecution is not supported by the sandbox.");
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
            Problem("properties.parameter must name the event property to watch (e.g. \"lightValue\").");
        }

        var threshold = Number(properties["threshold"]);
        if (threshold is null)
        {
            Problem($"properties.threshold {properties["threshold"]?.ToJsonString() ?? "(none)"} is not a number.");
        }

        TimeSpan? eviction = null;
        if (node["evictionTime"] is { } evictionNode)
        {
            eviction = Number(evictionNode) is { } seconds && seconds > 0 ? TimeSpan.FromSeconds(seconds) : null;
            if (eviction is null)
            {
                Problem($"evictionTime {evictionNode.ToJsonString()} must be a positive number of seconds.");
            }
        }

        return parameter is { Length: > 0 } && threshold is { } t ? new StreamingDataSensor(label, parameter, t, eviction) : null;
    }
}
