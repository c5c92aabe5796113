using System.Text.Json;

namespace Queueing.Emulators.Hosting;

/// <summary>
/// A header-like value given in JSON, as AWS takes it where a map of strings is expected (an HTTP API response's
/// <c>headers</c>, IoT Data's MQTT 5 user properties): a string is its text, a number or boolean its JSON text.
/// </summary>
public static class JsonHeaderValue
{
    /// <summary>The value's text, or null for an object, an array or null (not a header value).</summary>
    public static string? From(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => value.GetString(),
        JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False => value.GetRawText(),
        _ => null,
    };
}
