using System.Text.Json.Serialization;

namespace Queueing.Shared.Runtime;

/// <summary>The error document the Runtime API takes on <c>/error</c> and <c>/init/error</c>.</summary>
internal sealed class RuntimeError
{
    [JsonPropertyName("errorMessage")] public required string ErrorMessage { get; init; }
    [JsonPropertyName("errorType")] public required string ErrorType { get; init; }
    [JsonPropertyName("stackTrace")] public IReadOnlyList<string> StackTrace { get; init; } = [];

    public static RuntimeError From(Exception exception) => new()
    {
        ErrorMessage = exception.Message,
        ErrorType = exception.GetType().Name,
        StackTrace = (exception.StackTrace ?? string.Empty)
            .Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries),
    };
}
