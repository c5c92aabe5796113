using System.Text.Json.Nodes;

namespace Queueing.Emulators.Template;

/// <summary>A function of the template with every property resolved to its local value.</summary>
public sealed class FunctionDefinition
{
    /// <summary>Lambda's defaults when the template (and Globals) leave them out.</summary>
    public const int DefaultTimeoutSeconds = 3;
    public const int DefaultMemorySize = 128;

    public required string LogicalId { get; init; }
    public required string FunctionName { get; init; }
    public required string Arn { get; init; }
    public required string Handler { get; init; }
    public string? Runtime { get; init; }

    /// <summary>The CodeUri folder, absolute (relative paths are relative to the template's folder); null if none.</summary>
    public string? CodeUri { get; init; }

    public required int TimeoutSeconds { get; init; }
    public required int MemorySize { get; init; }
    public required IReadOnlyDictionary<string, string> Environment { get; init; }
    public required IReadOnlyList<SqsEventSource> SqsEvents { get; init; }
    public required IReadOnlyList<HttpApiEventSource> HttpApiEvents { get; init; }

    /// <summary>Every event of the template, resolved, including the types the local stack does not drive.</summary>
    public required IReadOnlyList<FunctionEvent> Events { get; init; }

    public TimeSpan Timeout => TimeSpan.FromSeconds(TimeoutSeconds);
}

public sealed record FunctionEvent(string Name, string Type, JsonObject Properties);

/// <summary>An <c>SQS</c> event: the event source mapping Lambda would run for the function.</summary>
public sealed record SqsEventSource(
    string Name,
    string QueueArn,
    int BatchSize,
    int MaximumBatchingWindowInSeconds,
    int? MaximumConcurrency,
    bool ReportBatchItemFailures,
    bool Enabled);

/// <summary>An <c>HttpApi</c> event: a route on an HTTP API (payload format 2.0 unless the template says 1.0).</summary>
public sealed record HttpApiEventSource(
    string Name,
    string? ApiLogicalId,
    string Path,
    string Method,
    string PayloadFormatVersion,
    int? TimeoutInMillis)
{
    public const string DefaultRoute = "$default";

    public bool IsDefaultRoute => Path == DefaultRoute;
}
