using System.Text.Json;
using Amazon.SQS;
using Amazon.SQS.Model;
using Microsoft.Extensions.Logging.Abstractions;
using Queueing.Contracts.DeadLetters;
using Queueing.Contracts.Events;
using Queueing.Contracts.Json;
using Queueing.Shared.DeadLetters;
using Queueing.Testing;

namespace Queueing.Redrive.Tests.Support;

/// <summary>A message a test puts through the system: body, message attributes and (FIFO) its group.</summary>
internal sealed record TestMessage(string Body, Dictionary<string, MessageAttributeValue> Attributes, string? Group = null)
{
    public static TestMessage Telemetry(string device, int value, string? group = null) =>
        new($"{{\"lightValue\":{value},\"timestamp\":1764288000000,\"deviceId\":\"{device}\",\"receivedAt\":1764288000123}}", WithTrace(value), group);

    public static TestMessage Raw(string body, int trace, string? group = null) => new(body, WithTrace(trace), group);

    /// <summary>A binary attribute (including bytes that are not valid UTF-8), a number and a string.</summary>
    public static Dictionary<string, MessageAttributeValue> WithTrace(int seed) => new(StringComparer.Ordinal)
    {
        ["Test.Trace"] = new() { DataType = "Binary", BinaryValue = new MemoryStream([0x00, 0xFF, 0xFE, (byte)seed, 0x80, 0x0A]) },
        ["Test.Sequence"] = new() { DataType = "Number", StringValue = seed.ToString(System.Globalization.CultureInfo.InvariantCulture) },
        ["Test.Note"] = new() { DataType = "String.custom", StringValue = $"note {seed} — ü" },
    };
}

/// <summary>
/// Fills a dead-letter queue the two real ways: SQS's redrive policy (a message received more often than
/// maxReceiveCount) and Shared's <see cref="DeadLetterParker"/> (what the functions do, writing the Queueing.* reason).
/// </summary>
internal sealed class DeadLetterFiller(IAmazonSQS sqs, QueuePair pair)
{
    private int _sequence;

    /// <summary>Sends to the source queue and receives until SQS moves every message to the DLQ.</summary>
    public async Task ThroughRedrivePolicyAsync(params TestMessage[] messages)
    {
        foreach (var message in messages)
        {
            await SendAsync(pair.SourceUrl, message);
        }

        // One message per receive with visibility 0: every receive counts, and a message past maxReceiveCount
        // moves on the next receive. (Receiving one at a time also keeps FIFO order in moto's move.)
        for (var attempt = 0; attempt < 500; attempt++)
        {
            await sqs.ReceiveMessageAsync(new ReceiveMessageRequest { QueueUrl = pair.SourceUrl, MaxNumberOfMessages = 1, VisibilityTimeout = 0 });
            if (await CountAsync(sqs, pair.SourceUrl) == 0)
            {
                return;
            }
        }

        throw new InvalidOperationException("The redrive policy did not move every message to the DLQ.");
    }

    /// <summary>Sends to the source queue, receives as a consumer would, parks with the reason, deletes from the source.</summary>
    public Task ThroughParkerAsync(DeadLetterKind kind, string error, params TestMessage[] messages) =>
        ThroughParkerAsync(pair.SourceArn, kind, error, messages);

    /// <summary>
    /// As <see cref="ThroughParkerAsync(DeadLetterKind, string, TestMessage[])"/>, but the parked message names
    /// <paramref name="recordedSource"/> as its Queueing.SourceQueue: what a hand-sent or imported dead letter can claim.
    /// </summary>
    public async Task ThroughParkerAsync(string recordedSource, DeadLetterKind kind, string error, params TestMessage[] messages)
    {
        var parker = new DeadLetterParker(sqs, pair.DlqUrl, pair.Fifo ? "command-publisher" : "ingest", NullLogger.Instance);
        foreach (var message in messages)
        {
            await SendAsync(pair.SourceUrl, message);
            var received = await sqs.ReceiveMessageAsync(new ReceiveMessageRequest
            {
                QueueUrl = pair.SourceUrl,
                MaxNumberOfMessages = 1,
                VisibilityTimeout = 30,
                MessageSystemAttributeNames = ["All"],
                MessageAttributeNames = ["All"],
            });
            var record = ReceivedRecord.From(Assert.Single(received.Messages!), recordedSource, "us-east-1");
            // The record as a function reads it: the event's JSON through the lean reader.
            var eventJson = JsonSerializer.SerializeToUtf8Bytes(new SqsEvent { Records = [record] }, SharedJsonContext.Default.SqsEvent);
            var result = await parker.ParkAsync([new ParkRequest(SqsEventReader.Read(eventJson)[0], kind, error)], CancellationToken.None);
            Assert.Contains(record.MessageId, result.Parked);
            await sqs.DeleteMessageAsync(pair.SourceUrl, record.ReceiptHandle);
        }
    }

    private async Task SendAsync(string url, TestMessage message)
    {
        var request = new SendMessageRequest { QueueUrl = url, MessageBody = message.Body, MessageAttributes = Copy(message.Attributes) };
        if (pair.Fifo)
        {
            request.MessageGroupId = message.Group ?? "group";
            request.MessageDeduplicationId = $"dedup-{Interlocked.Increment(ref _sequence)}-{Guid.NewGuid():N}";
        }

        await sqs.SendMessageAsync(request);
    }

    public static Dictionary<string, MessageAttributeValue> Copy(Dictionary<string, MessageAttributeValue> attributes) =>
        attributes.ToDictionary(kv => kv.Key, kv => kv.Value.BinaryValue is { } b
            ? new MessageAttributeValue { DataType = kv.Value.DataType, BinaryValue = new MemoryStream(b.ToArray()) }
            : new MessageAttributeValue { DataType = kv.Value.DataType, StringValue = kv.Value.StringValue });

    public static async Task<long> CountAsync(IAmazonSQS sqs, string url)
    {
        var attributes = (await sqs.GetQueueAttributesAsync(url, ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible", "ApproximateNumberOfMessagesDelayed"])).Attributes;
        return attributes.Values.Sum(long.Parse);
    }
}
