using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Queueing.Emulators.Waylay.Rules;

/// <summary>
/// Reads Waylay rule templates (the simplified graph format: <c>sensors</c>, <c>actuators</c>, <c>relations</c>,
/// <c>triggers</c>). A template is first checked against the rules engine's template schema (<c>TemplateEntity</c>
/// of the rules OpenAPI, as transcribed in <c>waylay/schemas/</c>): what the schema refuses, a tenant refuses, and
/// so does the sandbox. Then it refuses, naming the file and the construct, what the sandbox could not run
/// faithfully: another sensor plugin than <c>streamingDataSensor</c> at a documented version, gates
/// (<c>relations</c>), sensor-to-sensor triggers, polling, schedules, loops, retries, template variables,
/// <c>${...}</c> bindings, an actuator that is not a plug of <c>waylay/plugins/</c>, unknown states and properties.
/// Metadata (positions, descriptions, notes, tags) is ignored.
/// </summary>
public static partial class TemplateLoader
{
    // The properties of TemplateEntity (TemplateEntityCommonAttributes and SimplifiedGraph), and the metadata a
    // template read back from a tenant carries (TemplateEntityMetadata). The schema lets any other key through;
    // the sandbox refuses it, as it cannot know what the engine would do with it (usually: a typo).
    private static readonly HashSet<string> TemplateKeys =
        ["name", "discoveryTemplate", "tags", "variables", "taskDefaults", "description", "iconURL", "protected", "notes",
         "sensors", "actuators", "relations", "triggers", "user", "createTime", "lastUpdateTime"];

    private static readonly HashSet<string> TriggerKeys = ["sourceLabel", "destinationLabel", "statesTrigger", "stateChangeTrigger", "invocationPolicy"];

    // ActuatorNode.timeout: "defaults to PT50S".
    private static readonly TimeSpan DefaultActuatorTimeout = TimeSpan.FromSeconds(50);

    /// <summary>Every <c>*.json</c> of <paramref name="directory"/>, in file name order.</summary>
    public static IReadOnlyList<TaskTemplate> LoadDirectory(string directory, TemplateContext context)
    {
        if (!Directory.Exists(directory))
        {
            throw new WaylayTemplateException([$"{directory}: no such directory (the Waylay rule templates live in waylay/templates/)."]);
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

        return problems.Count > 0 ? throw new WaylayTemplateException(problems) : templates;
    }

    /// <summary>One template from its JSON text; <paramref name="source"/> names it in messages.</summary>
    public static TaskTemplate Load(string source, string json, TemplateContext context)
    {
        var problems = new List<string>();
        var template = Parse(source, json, context, problems);
        return problems.Count > 0 || template is null ? throw new WaylayTemplateException(problems) : template;
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

        var refused = context.Rules.Validate("TemplateEntity", root);
        if (refused.Count > 0)
        {
            problems.AddRange(refused.Select(p => $"{source}: refused by the template schema (TemplateEntity of {Path.GetFileName(context.Rules.Source)}): {p}"));
            return null;
        }

        Unknown(root, TemplateKeys, "the template", Problem);
        var name = root["name"]!.GetValue<string>();
        var resetObservations = true;
        if (root["taskDefaults"] is JsonObject defaults)
        {
            if (defaults["type"] is { } type && type.ToJsonString() != "\"reactive\"")
            {
                Problem($"taskDefaults.type {type.ToJsonString()}: the sandbox runs templates as reactive tasks only (no ticks, schedules or one-time runs).");
            }

            // GenericTaskSettings.resetObservations: "whether to clear observations before next invocation", default true.
            resetObservations = defaults["resetObservations"]?.GetValue<bool>() ?? true;
            foreach (var key in defaults.Select(d => d.Key).Where(k => k is "cron" or "rrule" or "frequency" or "timeZone"))
            {
                Problem($"taskDefaults.{key}: the sandbox runs reactive tasks only (no ticks or schedules).");
            }
        }

        if (root["variables"] is JsonArray { Count: > 0 })
        {
            Problem("variables (template variables) are not supported by the sandbox: configure the nodes through their properties.");
        }

        if (root["relations"] is JsonArray { Count: > 0 })
        {
            Problem("relations (gates) are not supported by the sandbox: it runs sensor -> actuator triggers only.");
        }

        var sensors = Nodes(root, "sensors", Problem).Select((s, i) => ParseSensor(s, i, Problem)).OfType<StreamingDataSensor>().ToList();
        var actuators = Nodes(root, "actuators", Problem).Select((a, i) => ParseActuator(a, i, context.Plugs, Problem)).OfType<TemplateActuator>().ToList();
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

        return problems.Count > start ? null : new TaskTemplate(name, source, sensors, actuators, triggers, resetObservations);
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
}
