using Amazon.SQS;
using Amazon.SQS.Model;

namespace Queueing.Redrive.Tests.Support;

/// <summary>A source queue and its dead-letter queue, created the way serverless.template does (redrive policy).</summary>
internal sealed record QueuePair(string SourceUrl, string SourceArn, string SourceName, string DlqUrl, string DlqArn, string DlqName, bool Fifo, int MaxReceiveCount)
{
    public static async Task<QueuePair> CreateAsync(IAmazonSQS sqs, string stack, bool fifo, int maxReceiveCount = 2)
    {
        var suffix = fifo ? ".fifo" : "";
        var sourceName = fifo ? $"{stack}-CommandQueue{suffix}" : $"{stack}-IngestQueue";
        var dlqName = fifo ? $"{stack}-CommandDLQ{suffix}" : $"{stack}-IngestDLQ";
        var dlqUrl = (await sqs.CreateQueueAsync(new CreateQueueRequest { QueueName = dlqName, Attributes = FifoAttributes(fifo) })).QueueUrl;
        var dlqArn = await ArnAsync(sqs, dlqUrl);
        var sourceAttributes = FifoAttributes(fifo);
        sourceAttributes["RedrivePolicy"] = $"{{\"deadLetterTargetArn\":\"{dlqArn}\",\"maxReceiveCount\":{maxReceiveCount}}}";
        var sourceUrl = (await sqs.CreateQueueAsync(new CreateQueueRequest { QueueName = sourceName, Attributes = sourceAttributes })).QueueUrl;
        return new QueuePair(sourceUrl, await ArnAsync(sqs, sourceUrl), sourceName, dlqUrl, dlqArn, dlqName, fifo, maxReceiveCount);
    }

    public static Dictionary<string, string> FifoAttributes(bool fifo) =>
        fifo ? new Dictionary<string, string> { ["FifoQueue"] = "true", ["ContentBasedDeduplication"] = "false" } : [];

    public static async Task<string> ArnAsync(IAmazonSQS sqs, string url) =>
        (await sqs.GetQueueAttributesAsync(url, ["QueueArn"])).Attributes["QueueArn"];
}
