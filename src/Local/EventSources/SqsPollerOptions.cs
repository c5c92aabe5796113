namespace Queueing.Local.EventSources;

/// <summary>How the local SQS event source mapping polls; the mapping's own settings come from the template.</summary>
internal sealed record SqsPollerOptions
{
    /// <summary>Concurrent pollers (each receives, then invokes); null: the source's MaximumConcurrency, else 2
    /// (Lambda's minimum for an SQS event source mapping).</summary>
    public int? MaxConcurrency { get; init; }

    /// <summary>Long-poll wait per ReceiveMessage, in whole seconds as SQS takes it (short, so a stop is prompt).</summary>
    public TimeSpan WaitTime { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Null: failed messages stay invisible for the queue's VisibilityTimeout, as Lambda leaves them. Set: every
    /// message left undeleted after an invocation is made visible again after this (a local speed-up; Lambda does
    /// not do it).
    /// </summary>
    public TimeSpan? FailedVisibilityTimeout { get; init; }

    public string Region { get; init; } = "us-east-1";

    /// <summary>First delay after a failed ReceiveMessage; doubles up to <see cref="MaxReceiveBackoff"/>.</summary>
    public TimeSpan ReceiveBackoff { get; init; } = TimeSpan.FromMilliseconds(200);

    public TimeSpan MaxReceiveBackoff { get; init; } = TimeSpan.FromSeconds(5);
}
