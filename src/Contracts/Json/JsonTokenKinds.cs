using System.Text.Json;

namespace Queueing.Contracts.Json;

/// <summary>How error texts name a JSON token: "a JSON array", "a JSON null", ... (the event reader and Ingest's parser).</summary>
public static class JsonTokenKinds
{
    public static string Describe(JsonTokenType token) => token switch
    {
        JsonTokenType.StartArray => "array",
        JsonTokenType.StartObject => "object",
        JsonTokenType.String => "string",
        JsonTokenType.Number => "number",
        JsonTokenType.True or JsonTokenType.False => "boolean",
        JsonTokenType.Null => "null",
        _ => token.ToString(),
    };
}
