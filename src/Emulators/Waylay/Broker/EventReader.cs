using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Queueing.Emulators.Waylay.Broker;

/// <summary>The events of one POST, and whether the body was an array (the forwarding rule depends on it).</summary>
internal sealed record PostedEvents(IReadOnlyList<BrokerEvent> Events, bool IsArray);

/// <summary>
/// Reads a POST body into events, all or nothing: a body with one bad event is refused whole (400) so that nothing
/// of it is stored or forwarded. <c>POST /events</c> takes ResourceEvent(s), which must carry a non-empty string
/// <c>resource</c>; <c>POST /events/{resourceId}</c> takes Event(s) and the path names the resource. A
/// <c>timestamp</c> must be integer Unix milliseconds or an ISO 8601 date-time; without one the broker stamps
/// its processing time.
/// </summary>
internal static partial class EventReader
{
    public static PostedEvents Read(ReadOnlySpan<byte> body, string? pathResource, DateTimeOffset now)
    {
        JsonNode? root;
        try
        {
            root = JsonNode.Parse(body, documentOptions: new JsonDocumentOptions { AllowDuplicateProperties = false });
        }
        catch (JsonException ex)
        {
            throw BrokerRequestException.BadRequest($"Json parse error: {ex.Message}");
        }

        var processingTime = now.ToUnixTimeMilliseconds();
        switch (root)
        {
            case JsonObject single:
                return new PostedEvents([ReadEvent(single, pathResource, processingTime, null)], IsArray: false);
            case JsonArray array:
                if (array.Count == 0)
                {
                    throw BrokerRequestException.BadRequest("The request holds no events (an empty array).");
                }

                var events = new List<BrokerEvent>(array.Count);
                for (var i = 0; i < array.Count; i++)
                {
                    events.Add(array[i] is JsonObject item
                        ? ReadEvent(item, pathResource, processingTime, i)
                        : throw BrokerRequestException.BadRequest($"Event [{i}] is not a JSON object."));
                }

                return new PostedEvents(events, IsArray: true);
            default:
                throw BrokerRequestException.BadRequest("The body must be a JSON object (an event) or an array of events.");
        }
    }

    private static BrokerEvent ReadEvent(JsonObject source, string? pathResource, long processingTime, int? index)
    {
        var where = index is { } i ? $"Event [{i}]" : "The event";
        var resource = pathResource ?? ReadResource(source, where);
        var timestamp = source.TryGetPropertyValue("timestamp", out var stamp)
            ? ReadTimestamp(stamp, where)
            : processingTime;

        var normalised = new JsonObject();
        if (!source.ContainsKey("resource"))
        {
            normalised["resource"] = resource;
        }

        foreach (var (name, value) in source)
        {
            normalised[name] = name switch
            {
                // On /events/{resourceId} the path names the resource; the body cannot redirect the event.
                "resource" => resource,
                "timestamp" => timestamp,
                _ => value?.DeepClone(),
            };
        }

        if (!source.ContainsKey("timestamp"))
        {
            normalised["timestamp"] = timestamp;
        }

        using var document = JsonDocument.Parse(normalised.ToJsonString());
        return new BrokerEvent(resource, timestamp, document.RootElement.Clone());
    }

    private static string ReadResource(JsonObject source, string where)
    {
        if (!source.TryGetPropertyValue("resource", out var node) || node is null)
        {
            throw BrokerRequestException.BadRequest($"{where} has no resource: every event posted to /data/v1/events needs a 'resource'.");
        }

        if (node.GetValueKind() != JsonValueKind.String || node.GetValue<string>() is not { Length: > 0 } resource)
        {
            throw BrokerRequestException.BadRequest($"{where} has an invalid resource: it must be a non-empty string.");
        }

        return resource;
    }

    private static long ReadTimestamp(JsonNode? node, string where)
    {
        var kind = node?.GetValueKind() ?? JsonValueKind.Null;
        if (kind == JsonValueKind.Number && node!.AsValue().TryGetValue<long>(out var millis)
            && millis >= DateTimeOffset.MinValue.ToUnixTimeMilliseconds() && millis <= DateTimeOffset.MaxValue.ToUnixTimeMilliseconds())
        {
            return millis;
        }

        if (kind == JsonValueKind.String && node!.GetValue<string>() is var text && Iso8601().IsMatch(text)
            && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var instant))
        {
            return instant.ToUnixTimeMilliseconds();
        }

        throw BrokerRequestException.BadRequest(
            $"{where} has an invalid timestamp ({node?.ToJsonString() ?? "null"}): use integer Unix epoch milliseconds or an ISO 8601 date-time.");
    }

    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$")]
    private static partial Regex Iso8601();
}
