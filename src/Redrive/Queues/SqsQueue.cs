using System.Globalization;
using System.Text.Json;

namespace Queueing.Redrive.Queues;

/// <summary>A queue that exists, with the attributes read when it was resolved.</summary>
internal sealed class SqsQueue
{
    public SqsQueue(string url, IReadOnlyDictionary<string, string> attributes)
    {
        Url = url;
        Attributes = attributes;
        Arn = attributes.GetValueOrDefault("QueueArn") ?? "";
        Name = Arn.Length > 0 ? Arn[(Arn.LastIndexOf(':') + 1)..] : url[(url.TrimEnd('/').LastIndexOf('/') + 1)..];
        IsFifo = Name.EndsWith(".fifo", StringComparison.Ordinal)
            || string.Equals(attributes.GetValueOrDefault("FifoQueue"), "true", StringComparison.OrdinalIgnoreCase);
        RedrivePolicy = QueueRedrivePolicy.Parse(attributes.GetValueOrDefault("RedrivePolicy"));
    }

    public string Url { get; }
    public string Arn { get; }
    public string Name { get; }
    public bool IsFifo { get; }
    public IReadOnlyDictionary<string, string> Attributes { get; }
    /// <summary>This queue's own redrive policy (where its failures go), if it has one.</summary>
    public QueueRedrivePolicy? RedrivePolicy { get; }

    public long Visible => Count("ApproximateNumberOfMessages");
    public long InFlight => Count("ApproximateNumberOfMessagesNotVisible");
    public long Delayed => Count("ApproximateNumberOfMessagesDelayed");

    private long Count(string name) =>
        long.TryParse(Attributes.GetValueOrDefault(name), NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) ? n : 0;

    public override string ToString() => Name;
}

/// <summary>The <c>RedrivePolicy</c> queue attribute: <c>{"deadLetterTargetArn":"...","maxReceiveCount":5}</c>.</summary>
internal sealed record QueueRedrivePolicy(string DeadLetterTargetArn, int MaxReceiveCount)
{
    public static QueueRedrivePolicy? Parse(string? json)
    {
        if (string.IsNullOrWhiteSpace(json))
        {
            return null;
        }

        try
        {
            using var document = JsonDocument.Parse(json);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("deadLetterTargetArn", out var target) || target.ValueKind != JsonValueKind.String)
            {
                return null;
            }

            // SQS answers a number; some tools write the number as a string.
            var max = 0;
            if (root.TryGetProperty("maxReceiveCount", out var count))
            {
                max = count.ValueKind switch
                {
                    JsonValueKind.Number when count.TryGetInt32(out var n) => n,
                    JsonValueKind.String when int.TryParse(count.GetString(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var s) => s,
                    _ => 0,
                };
            }

            return new QueueRedrivePolicy(target.GetString()!, max);
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
