using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Queueing.Emulators.Lambda;

/// <summary>The Lambda error document (<c>{"errorType", "errorMessage", "stackTrace"?}</c>) as bytes.</summary>
public static class RuntimeErrorDocument
{
    public static byte[] Create(string errorType, string errorMessage) =>
        Encoding.UTF8.GetBytes(new JsonObject { ["errorType"] = errorType, ["errorMessage"] = errorMessage }.ToJsonString());

    /// <summary>
    /// The document for an error the runtime posted: its body when that is a JSON object, else one built from the
    /// <c>Lambda-Runtime-Function-Error-Type</c> header, as Lambda does when the body cannot be read.
    /// </summary>
    public static (byte[] Document, string ErrorType) FromRuntime(byte[] body, string? headerType)
    {
        try
        {
            if (JsonNode.Parse(body) is JsonObject obj)
            {
                var type = headerType ?? (obj["errorType"] as JsonValue)?.ToString() ?? "Unhandled";
                return (body, type);
            }
        }
        catch (JsonException)
        {
        }

        var fallbackType = headerType ?? "Unhandled";
        return (Create(fallbackType, Encoding.UTF8.GetString(body)), fallbackType);
    }

    public static string Message(byte[] document)
    {
        try
        {
            return (JsonNode.Parse(document) as JsonObject)?["errorMessage"]?.ToString() ?? Encoding.UTF8.GetString(document);
        }
        catch (JsonException)
        {
            return Encoding.UTF8.GetString(document);
        }
    }
}
