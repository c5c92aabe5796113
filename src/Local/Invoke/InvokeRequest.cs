using Queueing.Local.Aws;

namespace Queueing.Local.Invoke;

/// <summary>The <c>invoke</c> command's arguments, parsed.</summary>
public sealed record InvokeRequest
{
    public required string LogicalId { get; init; }

    /// <summary>A file path, or <c>-</c> for stdin.</summary>
    public required string Event { get; init; }

    public string? EnvVarsFile { get; init; }
    public string? TemplatePath { get; init; }
    public IReadOnlyDictionary<string, string> ParameterOverrides { get; init; } = new Dictionary<string, string>();
    public Uri? AwsEndpoint { get; init; }
    public Uri? WaylayUrl { get; init; }
    public Uri? IotEndpoint { get; init; }
    public bool NoBuild { get; init; }
    public string Configuration { get; init; } = "Debug";
    public LocalSecrets Secrets { get; init; } = new();
}
