using System.Text.Json.Serialization;

namespace Queueing.Actuate.Api;

/// <summary>The 202 answer: what was accepted and until when it may be delivered.</summary>
internal sealed record CommandAccepted(
    [property: JsonPropertyName("commandId")] string CommandId,
    [property: JsonPropertyName("deviceId")] string DeviceId,
    [property: JsonPropertyName("topic")] string Topic,
    [property: JsonPropertyName("expiresAt")] string ExpiresAt);

[JsonSerializable(typeof(CommandAccepted))]
internal sealed partial class ApiJsonContext : JsonSerializerContext;
