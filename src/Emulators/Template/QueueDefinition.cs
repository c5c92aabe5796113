namespace Queueing.Emulators.Template;

/// <summary>An <c>AWS::SQS::Queue</c> resolved to what CreateQueue / SetQueueAttributes take locally.</summary>
public sealed class QueueDefinition
{
    public required string LogicalId { get; init; }
    public required string QueueName { get; init; }
    public required string Url { get; init; }
    public required string Arn { get; init; }
    public bool Fifo => QueueName.EndsWith(".fifo", StringComparison.Ordinal);

    /// <summary>SQS attribute name -> value, without the redrive policies (set once every queue exists).</summary>
    public required IReadOnlyDictionary<string, string> Attributes { get; init; }

    /// <summary>The redrive policy as the SQS attribute value (JSON text), or null.</summary>
    public string? RedrivePolicy { get; init; }
    public string? RedriveAllowPolicy { get; init; }
    public string? DeadLetterTargetArn { get; init; }
    public int? MaxReceiveCount { get; init; }
    public required IReadOnlyDictionary<string, string> Tags { get; init; }
}
