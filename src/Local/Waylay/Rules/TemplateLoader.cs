using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Queueing.Local.Waylay.Broker;

namespace Queueing.Local.Waylay.Rules;

/// <summary>
/// Reads Waylay rule templates (the simplified graph format: <c>sensors</c>, <c>actuators</c>, <c>relations</c>,
/// <c>triggers</c>) and refuses, naming the file and the construct, anything the sandbox could not run faithfully:
/// another sensor plugin than <c>streamingDataSensor</c>, gates (<c>relations</c>), sensor-to-sensor triggers,
/// polling, schedules, loops, an actuator that does not call a webscript of <c>waylay/webscripts/</c>, unknown
/// states, unknown properties. Metadata (positions, descriptions, versions, notes) is ignored.
/// </summary>
public static partial class TemplateLoader
{
    private static readonly HashSet<string> TemplateKeys =
        ["name", "description", "user", "createTime", "lastUpdateTime", "tags", "notes", "metadata", "task", "sensors", "actuators", "relations", "triggers"];

    private static readonly HashSet<string> TaskKeys = ["type", "name", "start", "resource", "description", "tags"];

    private static readonly HashSet<string> SensorKeys =
        ["label", "name", "version", "resource", "properties", "position", "sequence", "dataTrigger", "tickTrigger", "evictionTime",
         "description", "iconURL", "timeout", "timeoutState", "pauseExecution", "pauseExecutionTimeout"];

    private static readonly HashSet<string> ActuatorKeys = ["label", "name", "version", "properties", "position", "sequence", "timeout", "description", "iconURL"];

    private static readonly HashSet<string> TriggerKeys = ["sourceLabel", "destinationLabel", "statesTrigger", "stateChangeTrigger", "invocationPolicy"];

    private static readonly TimeSpan DefaultActuatorTimeout = TimeSpan.FromSeconds(50);

    public const string WebscriptActuatorPlugin = "webscriptActuator";

    /// <summary>Every <c>*.json</c> of <paramref name="directory"/>, in file name order.</summary>
    public static IReadOnlyList<TaskTemplate> LoadDirectory(string directory, TemplateContext context)
    {
        if (!Directory.Exists(directory))
        {
            throw new TemplateException([$"{directory}: no such directory (the Waylay rule templates live in waylay/templates/)."]);
        }

        var problems = new List<string>();
        var templates = new List<TaskTemplate>();
        foreach (var file in Directory.EnumerateFiles(directory, "*.json").Order(StringComparer.Ordinal))
        {
            if (Parse(Path.GetFileName(file), File.ReadAllText(file), context, problems) is { } template)
            {
                templates.Add(template);
            }
        }

        if (templates.Count == 0 && problems.Count == 0)
        {
            problems.Add($"{directory}: no rule template (*.json) to run.");
        }

        foreach (var duplicate in templates.GroupBy(t => t.Name, StringComparer.Ordinal).Where(g => g.Count() > 1))
        {
            problems.Add($"template name '{duplicate.Key}' is used by {string.Join(" and ", duplicate.Select(t => t.Source))}.");
        }

        return problems.Count > 0 ? throw new TemplateException(problems) : templates;
    }

    /// <summary>One template from its JSON text; <paramref name="source"/> names it in messages.</summary>
    public static TaskTemplate Load(string source, string json, TemplateContext context)
    {
        var problems = new List<string>();
        var template = Parse(source, json, context, problems);
        return problems.Count > 0 || template is null ? throw new TemplateException(problems) : template;
    }

    private static TaskTemplate? Parse(string source, string json, TemplateContext context, List<string> problems)
    {
        var start = problems.Count;
        void Problem(string message) => problems.Add($"{source}: {message}");

        JsonObject root;
        try
        {
            root = JsonNode.Parse(json, documentOptions: new JsonDocumentOptions { AllowDuplicateProperties = false }) as JsonObject
                ?? throw new JsonException("the template must be a JSON object");
        }
        catch (JsonException ex)
        {
            Problem($"not valid JSON: {ex.Message}");
            return null;
        }

        Unknown(root, TemplateKeys, "the template", Problem);
        var name = root["name"] is JsonValue n && n.GetValueKind() == JsonValueKind.String ? n.GetValue<string>() : Path.GetFileNameWithoutExtension(source);
        if (root["task"] is JsonObject task)
        {
            Unknown(task, TaskKeys, "task", Problem);
            if (task["type"] is { } type && type.ToJsonString() != "\"reactive\"")
            {
                Problem($"task.type {type.ToJsonString()}: the sandbox runs templates as reactive tasks only (no ticks, schedules or one-time runs).");
            }
        }
        else if (root["task"] is not null)
        {
            Problem("task must be an object.");
        }

        if (root["relations"] is JsonArray { Count: > 0 })
        {
            Problem("relations (gates) are not supported by the sandbox: it runs sensor -> actuator triggers only.");
        }

        var sensors = Nodes(root, "sensors", Problem).Select((s, i) => ParseSensor(s, i, Problem)).OfType<StreamingDataSensor>().ToList();
        var actuators = Nodes(root, "actuators", Problem).Select((a, i) => ParseActuator(a, i, context.Webscripts, context.Variables, Problem)).OfType<TemplateActuator>().ToList();
        if (sensors.Count == 0)
        {
            Problem("no sensor: a template needs a streamingDataSensor to react to the resource's data.");
        }

        var labels = new HashSet<string>(StringComparer.Ordinal);
        foreach (var label in sensors.Select(s => s.Label).Concat(actuators.Select(a => a.Label)))
        {
            if (!labels.Add(label))
            {
                Problem($"label '{label}' is used by more than one node.");
            }
        }

        var triggers = Nodes(root, "triggers", Problem)
            .Select((t, i) => ParseTrigger(t, i, sensors, actuators, Problem))
            .OfType<TemplateTrigger>()
            .ToList();

        foreach (var actuator in actuators)
        {
            CheckPlaceholders(actuator, sensors, Problem);
        }

        return problems.Count > start ? null : new TaskTemplate(name, source, sensors, actuators, triggers);
    }

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

    private static TemplateTrigger? ParseTrigger(
        JsonObject node, int index, List<StreamingDataSensor> sensors, List<TemplateActuator> actuators, Action<string> problem)
    {
        var source = Text(node, "sourceLabel");
        var destination = Text(node, "destinationLabel");
        var where = $"trigger #{index} ({source ?? "?"} -> {destination ?? "?"})";
        void Problem(string message) => problem($"{where}: {message}");

        Unknown(node, TriggerKeys, where, problem);
        if (node["invocationPolicy"] is not null)
        {
            // Listed apart from the unknown keys to say why.
            Problem("invocationPolicy is not supported by the sandbox (it would change how often the actuator fires).");
        }

        if (source is null || sensors.All(s => s.Label != source))
        {
            Problem($"sourceLabel '{source}' is not a sensor of the template{(actuators.Any(a => a.Label == source) ? " (actuators cannot trigger)" : "")}.");
            return null;
        }

        if (destination is null || actuators.All(a => a.Label != destination))
        {
            Problem($"destinationLabel '{destination}' is not an actuator of the template{(sensors.Any(s => s.Label == destination) ? " (sensor-to-sensor triggers, i.e. conditional execution, are not supported)" : "")}.");
            return null;
        }

        var states = node["statesTrigger"];
        var change = node["stateChangeTrigger"];
        if (states is not null && change is not null)
        {
            Problem("has both statesTrigger and stateChangeTrigger: write them as two triggers.");
            return null;
        }

        if (states is not null)
        {
            var list = (states as JsonArray)?.Select(s => s?.GetValueKind() == JsonValueKind.String ? s.GetValue<string>() : null).ToList();
            if (list is null || list.Count == 0 || list.Any(s => s is null))
            {
                Problem($"statesTrigger {states.ToJsonString()} must be a non-empty array of states.");
                return null;
            }

            foreach (var state in list.Where(s => !SensorStates.All.Contains(s!, StringComparer.Ordinal)))
            {
                Problem($"statesTrigger state '{state}' is not a state of {StreamingDataSensor.PluginName} ({string.Join(", ", SensorStates.All)}).");
            }

            return new StatesTrigger(source, destination, list!);
        }

        if (change is not null)
        {
            var from = change is JsonObject o ? Text(o, "stateFrom") : null;
            var to = change is JsonObject p ? Text(p, "stateTo") : null;
            if (change is JsonObject c)
            {
                Unknown(c, ["stateFrom", "stateTo"], $"{where} stateChangeTrigger", problem);
            }

            foreach (var (name, state) in new[] { ("stateFrom", from), ("stateTo", to) })
            {
                if (state is null || (state != SensorStates.Any && !SensorStates.All.Contains(state, StringComparer.Ordinal)))
                {
                    Problem($"stateChangeTrigger.{name} '{state}' must be one of {string.Join(", ", SensorStates.All)} or *.");
                }
            }

            return from is not null && to is not null ? new StateChangeTrigger(source, destination, from, to) : null;
        }

        return new ExecutionTrigger(source, destination);
    }

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

    private static IEnumerable<JsonObject> Nodes(JsonObject root, string name, Action<string> problem)
    {
        switch (root[name])
        {
            case null:
                yield break;
            case JsonArray array:
                for (var i = 0; i < array.Count; i++)
                {
                    if (array[i] is JsonObject item)
                    {
                        yield return item;
                    }
                    else
                    {
                        problem($"{name}[{i}] is not an object.");
                    }
                }

                break;
            default:
                problem($"{name} must be an array.");
                break;
        }
    }

    private static void Unknown(JsonObject node, HashSet<string> known, string where, Action<string> problem)
    {
        foreach (var (key, _) in node)
        {
            if (!known.Contains(key))
            {
                problem($"{where}: '{key}' is not supported by the sandbox.");
            }
        }
    }

    private static string? Text(JsonObject node, string name) =>
        node[name] is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : null;

    private static double? Number(JsonNode? node) => node switch
    {
        JsonValue v when v.GetValueKind() == JsonValueKind.Number => v.GetValue<double>(),
        JsonValue v when v.GetValueKind() == JsonValueKind.String
            && double.TryParse(v.GetValue<string>(), NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && double.IsFinite(d) => d,
        _ => null,
    };

    /// <summary>The webscript a URL names: its last path segment (Waylay URLs end in the webscript's name).</summary>
    private static string? WebscriptName(string url) =>
        Uri.TryCreate(url, UriKind.Absolute, out var uri) && uri.Segments.Length > 1
            ? Path.GetFileNameWithoutExtension(Uri.UnescapeDataString(uri.Segments[^1].TrimEnd('/')))
            : null;

    [GeneratedRegex(@"\$\{([^{}]+)\}")]
    private static partial Regex Variable();
}
