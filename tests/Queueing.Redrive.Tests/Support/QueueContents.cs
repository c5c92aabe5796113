using Amazon.SQS;
using Amazon.SQS.Model;
using Queueing.Testing;

namespace Queueing.Redrive.Tests.Support;

/// <summary>A message as a test compares it: id, body, system attributes and message attributes (binary as hex).</summary>
internal sealed record Snapshot(string MessageId, string Body, string? Group, IReadOnlyDictionary<string, string> Attributes)
{
    public static Snapshot Of(Message message) => new(
        message.MessageId,
        message.Body,
        message.Attributes?.GetValueOrDefault("MessageGroupId"),
        (message.MessageAttributes ?? []).ToDictionary(
            kv => kv.Key,
            kv => $"{kv.Value.DataType}:{(kv.Value.BinaryValue is { } b ? "0x" + Convert.ToHexString(b.ToArray()) : kv.Value.StringValue)}",
            StringComparer.Ordinal));

    /// <summary>The message attributes without the one a redrive changes.</summary>
    public IReadOnlyDictionary<string, string> AttributesExcept(string name) =>
        Attributes.Where(kv => kv.Key != name).ToDictionary(kv => kv.Key, kv => kv.Value, StringComparer.Ordinal);
}

/// <summary>Reads what is in a queue, for assertions at the end of a test.</summary>
internal static class QueueContents
{
    /// <summary>Receives and deletes everything, in the order SQS hands it out (FIFO: group order).</summary>
    public static async Task<List<Snapshot>> DrainAsync(IAmazonSQS sqs, string url) =>
        [.. (await QueueReader.ReceiveAllAsync(sqs, url, delete: true, visibilitySeconds: 60, waitSeconds: 1)).Select(Snapshot.Of)];

    /// <summary>Receives everything of a standard queue, then returns it all (visibility 0): a non-destructive read.</summary>
    public static async Task<List<(Snapshot Snapshot, Message Message)>> ReadAndReleaseAsync(IAmazonSQS sqs, string url)
    {
        var all = new List<(Snapshot, Message)>();
        while (true)
        {
            var response = await sqs.ReceiveMessageAsync(new ReceiveMessageRequest
            {
                QueueUrl = url,
                MaxNumberOfMessages = 10,
                VisibilityTimeout = 60,
                WaitTimeSeconds = 1,
                MessageSystemAttributeNames = ["All"],
                MessageAttributeNames = ["All"],
            });
            if (response.Messages is not { Count: > 0 } messages)
            {
                break;
            }

            all.AddRange(messages.Select(m => (Snapshot.Of(m), m)));
        }

        foreach (var (_, message) in all)
        {
            await sqs.ChangeMessageVisibilityAsync(url, message.ReceiptHandle, 0);
        }

        return all;
    }
}
