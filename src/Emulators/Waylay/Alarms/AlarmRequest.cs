using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Queueing.Emulators.Waylay.Alarms;

/// <summary>
/// A create call's body, checked as the Alarms OpenAPI 1.11.0 describes <c>CreateAlarm</c>: <c>type</c>, <c>text</c>,
/// <c>severity</c> (<c>CRITICAL</c>, <c>MAJOR</c>, <c>MINOR</c>, <c>WARNING</c>) and <c>source.id</c> required;
/// <c>status</c> (<c>ACTIVE</c> by default, <c>ACKNOWLEDGED</c>, <c>CLEARED</c>), <c>timestamp</c> (ISO 8601 or
/// Unix milliseconds) and <c>assignee</c> optional; every other member is kept as the alarm's
/// <c>additionalProperties</c>.
/// </summary>
internal sealed record AlarmRequest(
    string Type,
    string Text,
    string Severity,
    string SourceId,
    string Status,
    DateTimeOffset? Timestamp,
    string? Assignee,
    JsonObject AdditionalProperties)
{
    public static IReadOnlyList<string> Severities { get; } = ["CRITICAL", "MAJOR", "MINOR", "WARNING"];

    public static IReadOnlyList<string> Statuses { get; } = ["ACTIVE", "ACKNOWLEDGED", "CLEARED"];

    private static readonly HashSet<string> Known = ["type", "text", "severity", "source", "status", "timestamp", "assignee"];

    /// <summary>The request, or every problem with it in the API's <c>details</c> form (<c>/pointer &lt;- reason</c>).</summary>
    public static (AlarmRequest? Request, IReadOnlyList<string> Problems) Parse(ReadOnlySpan<byte> body)
    {
        JsonObject root;
        try
        {
            root = JsonNode.Parse(body, documentOptions: new JsonDocumentOptions { AllowDuplicateProperties = false }) as JsonObject
                ?? throw new JsonException("the body must be a JSON object");
        }
        catch (JsonException ex)
        {
            return (null, [$"/ <- Invalid JSON: {ex.Message}"]);
        }

        var problems = new List<string>();
        var type = RequiredText(root, "type", problems);
        var text = RequiredText(root, "text", problems);
        var severity = OneOf(root, "severity", Severities, problems, required: true);
        var status = OneOf(root, "status", Statuses, problems, required: false) ?? "ACTIVE";

        string? sourceId = null;
        switch (root["source"])
        {
            case null:
                problems.Add("/source <- required: an object with the id of the resource the alarm is about");
                break;
            case JsonObject source when source["id"] is JsonValue id && id.GetValueKind() == JsonValueKind.String && id.GetValue<string>().Length > 0:
                sourceId = id.GetValue<string>();
                break;
            default:
                problems.Add("/source/id <- required: a non-empty string (the resource id)");
                break;
        }

        DateTimeOffset? timestamp = null;
        switch (root["timestamp"])
        {
            case null:
                break;
            case JsonValue v when v.GetValueKind() == JsonValueKind.Number && v.TryGetValue<long>(out var ms):
                timestamp = DateTimeOffset.FromUnixTimeMilliseconds(ms);
                break;
            case JsonValue v when v.GetValueKind() == JsonValueKind.String
                && DateTimeOffset.TryParse(v.GetValue<string>(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at):
                timestamp = at;
                break;
            default:
                problems.Add("/timestamp <- must be an ISO 8601 timestamp or Unix epoch milliseconds");
                break;
        }

        string? assignee = null;
        if (root["assignee"] is { } assigneeNode)
        {
            if (assigneeNode is JsonValue a && a.GetValueKind() == JsonValueKind.String)
            {
                assignee = a.GetValue<string>();
            }
            else
            {
                problems.Add("/assignee <- must be a string");
            }
        }

        if (problems.Count > 0)
        {
            return (null, problems);
        }

        var additional = new JsonObject(root.Where(p => !Known.Contains(p.Key)).Select(p => KeyValuePair.Create(p.Key, p.Value?.DeepClone())));
        return (new AlarmRequest(type!, text!, severity!, sourceId!, status, timestamp, assignee, additional), []);
    }

    private static string? RequiredText(JsonObject root, string name, List<string> problems)
    {
        if (root[name] is JsonValue v && v.GetValueKind() == JsonValueKind.String)
        {
            return v.GetValue<string>();
        }

        problems.Add($"/{name} <- required: a string");
        return null;
    }

    private static string? OneOf(JsonObject root, string name, IReadOnlyList<string> values, List<string> problems, bool required)
    {
        var node = root[name];
        if (node is null && !required)
        {
            return null;
        }

        if (node is JsonValue v && v.GetValueKind() == JsonValueKind.String && values.Contains(v.GetValue<string>(), StringComparer.Ordinal))
        {
            return v.GetValue<string>();
        }

        problems.Add($"/{name} <- Could not parse {name}, valid values are: {string.Join(", ", values)}");
        return null;
    }
}
