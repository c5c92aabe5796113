using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Queueing.Ingest.Waylay;

/// <summary>The SSM SecureString value: <c>{"apiKey":"...","apiSecret":"..."}</c>.</summary>
internal sealed class WaylayCredentials
{
    [JsonPropertyName("apiKey")] public string? ApiKey { get; set; }
    [JsonPropertyName("apiSecret")] public string? ApiSecret { get; set; }

    /// <summary>The HTTP Basic token (base64 of <c>apiKey:apiSecret</c>), or a problem that names what is wrong.</summary>
    public static bool TryCreateBasicToken(string secretValue, string parameterName, out string token, out string problem)
    {
        token = string.Empty;
        WaylayCredentials? credentials;
        try
        {
            credentials = JsonSerializer.Deserialize(secretValue, WaylayJsonContext.Default.WaylayCredentials);
        }
        catch (JsonException)
        {
            // The exception text could quote the secret: never log or park it.
            problem = $"SSM parameter '{parameterName}' is not JSON of the form {{\"apiKey\":\"...\",\"apiSecret\":\"...\"}}.";
            return false;
        }

        if (string.IsNullOrEmpty(credentials?.ApiKey) || string.IsNullOrEmpty(credentials.ApiSecret))
        {
            problem = $"SSM parameter '{parameterName}' lacks apiKey or apiSecret.";
            return false;
        }

        token = Convert.ToBase64String(Encoding.UTF8.GetBytes(credentials.ApiKey + ":" + credentials.ApiSecret));
        problem = string.Empty;
        return true;
    }
}

[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(WaylayCredentials))]
internal sealed partial class WaylayJsonContext : JsonSerializerContext;
