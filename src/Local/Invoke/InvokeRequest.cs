using Queueing.Local.Cli;

namespace Queueing.Local.Invoke;

/// <summary>The <c>invoke</c> command's arguments, parsed.</summary>
internal sealed record InvokeRequest : StackRequest
{
    public required string LogicalId { get; init; }

    /// <summary>A file path, or <c>-</c> for stdin.</summary>
    public required string Event { get; init; }

    public string? EnvVarsFile { get; init; }
    public Uri? WaylayUrl { get; init; }
    public Uri? IotEndpoint { get; init; }
}
