using System.Text.Json.Nodes;

namespace Queueing.Local.Aws;

/// <summary>
/// The secrets the functions read from SSM SecureString parameters, with local values. The template names the
/// parameters (through the functions' environment); these are the values created under those names.
/// </summary>
internal sealed record LocalSecrets
{
    public string WaylayApiKey { get; init; } = "local-key";
    public string WaylayApiSecret { get; init; } = "local-secret";
    public string CommandSigningSecret { get; init; } = "queueing-local-signing-secret-not-for-production";

    /// <summary>The value for the parameter a function finds in <paramref name="variable"/>, or null if that is not a secret setting.</summary>
    public string? ValueFor(string variable) => variable switch
    {
        QueueingApplication.WaylayCredentialsVariable => new JsonObject { ["apiKey"] = WaylayApiKey, ["apiSecret"] = WaylayApiSecret }.ToJsonString(),
        QueueingApplication.CommandSigningSecretVariable => CommandSigningSecret,
        _ => null,
    };
}
