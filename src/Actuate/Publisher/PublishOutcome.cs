namespace Queueing.Actuate.Publisher;

public enum PublishResult
{
    /// <summary>IoT Core accepted the message (200).</summary>
    Published,
    /// <summary>IoT Core refused this message for good (400, 403, 413): parked as rejected, never retried.</summary>
    Rejected,
    /// <summary>Throttled, a 5xx, the network or a timeout: retried, and everything after it in the batch waits.</summary>
    Transient,
}

/// <summary>What one IoT Data Publish call came to, with the text an operator reads in the DLQ or the log.</summary>
internal readonly record struct PublishOutcome(PublishResult Result, string Reason)
{
    public static readonly PublishOutcome Published = new(PublishResult.Published, "published");

    public static PublishOutcome Rejected(string reason) => new(PublishResult.Rejected, reason);

    public static PublishOutcome Transient(string reason) => new(PublishResult.Transient, reason);
}
