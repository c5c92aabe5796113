using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

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
