using System.Text.Json.Serialization;

namespace Queueing.Emulators.IoT.Rules;

/// <summary>
/// What AWS IoT sends to a rule's error action: one message per rule and message, listing every failed action
/// (the "Error action message format" in the AWS IoT developer guide).
/// </summary>
internal sealed record ErrorActionMessage(
    string RuleName,
    string Topic,
    string CloudwatchTraceId,
    string ClientId,
    string Base64OriginalPayload,
    IReadOnlyList<ErrorActionFailure> Failures);

internal sealed record ErrorActionFailure(string FailedAction, string FailedResource, string ErrorMessage);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(ErrorActionMessage))]
internal sealed partial class RulesJsonContext : JsonSerializerContext;
