using Amazon.SQS;
using Amazon.SQS.Model;

namespace Queueing.Actuate.Tests.Support;

/// <summary>A CommandQueue.fifo with a redrive policy to its own FIFO DLQ, as the template declares them, and a
/// standard queue standing in for IngestQueue, where the publisher sends its status messages.</summary>
internal sealed record CommandQueues(string QueueUrl, string QueueArn, string DeadLetterQueueUrl, int MaxReceiveCount, string StatusQueueUrl)
{
    public static async Task<CommandQueues> CreateAsync(IAmazonSQS sqs, int maxReceiveCount = 3)
    {
        var name = "cmd-" + Guid.NewGuid().ToString("N")[..12];
        var dlq = await sqs.CreateQueueAsync(new CreateQueueRequest
        {
            QueueName = name + "-dlq.fifo",
            Attributes = new Dictionary<string, string> { ["FifoQueue"] = "true" },
        });
        var dlqArn = (await sqs.GetQueueAttributesAsync(dlq.QueueUrl, ["QueueArn"])).QueueARN;
        var queue = await sqs.CreateQueueAsync(new CreateQueueRequest
        {
            QueueName = name + ".fifo",
            Attributes = new Dictionary<string, string>
            {
                ["FifoQueue"] = "true",
                ["ContentBasedDeduplication"] = "false",
                ["VisibilityTimeout"] = "30",
                ["RedrivePolicy"] = $"{{\"deadLetterTargetArn\":\"{dlqArn}\",\"maxReceiveCount\":\"{maxReceiveCount}\"}}",
            },
        });
        var arn = (await sqs.GetQueueAttributesAsync(queue.QueueUrl, ["QueueArn"])).QueueARN;
        var statuses = await sqs.CreateQueueAsync(new CreateQueueRequest { QueueName = name + "-ingest" });
        return new CommandQueues(queue.QueueUrl, arn, dlq.QueueUrl, maxReceiveCount, statuses.QueueUrl);
    }

    /// <summary>Every message in <paramref name="queueUrl"/>, read and made visible again (nothing is consumed).</summary>
    public static async Task<List<Message>> PeekAllAsync(IAmazonSQS sqs, string queueUrl)
    {
        var all = new List<Message>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var round = 0; round < 50; round++)
        {
            var response = await sqs.ReceiveMessageAsync(new ReceiveMessageRequest
            {
                QueueUrl = queueUrl,
                MaxNumberOfMessages = 10,
                MessageSystemAttributeNames = ["All"],
                MessageAttributeNames = ["All"],
                VisibilityTimeout = 60,
            });
            var messages = response.Messages ?? [];
            if (messages.Count == 0)
            {
                break;
            }

            all.AddRange(messages.Where(m => seen.Add(m.MessageId)));
        }

        foreach (var message in all)
        {
            await sqs.ChangeMessageVisibilityAsync(queueUrl, message.ReceiptHandle, 0);
        }

        return all;
    }

    public static async Task<int> CountAsync(IAmazonSQS sqs, string queueUrl)
    {
        var attributes = await sqs.GetQueueAttributesAsync(queueUrl, ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"]);
        return attributes.ApproximateNumberOfMessages + attributes.ApproximateNumberOfMessagesNotVisible;
    }
}
