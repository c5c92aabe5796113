using System.Text.Json.Nodes;

namespace Queueing.Emulators.Template;

/// <summary>
/// SAM's <c>Globals</c> section applied to a resource as SAM applies it: the resource's primitive values win,
/// maps merge key by key (the resource wins on a clash), lists are the global items followed by the resource's.
/// </summary>
internal static class SamGlobals
{
    public static JsonObject Apply(JsonObject? globals, JsonObject? properties)
    {
        var merged = (JsonObject)(globals?.DeepClone() ?? new JsonObject());
        foreach (var (key, value) in properties ?? [])
        {
            merged[key] = Merge(merged[key], value);
        }

        return merged;
    }

    private static JsonNode? Merge(JsonNode? global, JsonNode? local)
    {
        // An intrinsic function is a value, not a map: it replaces whatever the globals said.
        if (global is JsonObject globalMap && local is JsonObject localMap && !IsIntrinsic(globalMap) && !IsIntrinsic(localMap))
        {
            var merged = (JsonObject)globalMap.DeepClone();
            foreach (var (key, value) in localMap)
            {
                merged[key] = Merge(merged[key], value);
            }

            return merged;
        }

        if (global is JsonArray globalList && local is JsonArray localList)
        {
            return new JsonArray([.. globalList.Select(n => n?.DeepClone()), .. localList.Select(n => n?.DeepClone())]);
        }

        return local?.DeepClone();
    }

    private static bool IsIntrinsic(JsonObject map) => map.Count == 1 && IntrinsicResolver.IsFunction(map.First().Key);
}
