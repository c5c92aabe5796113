using Amazon.SQS;
using Amazon.SQS.Model;
using Queueing.Actuate.Publisher;
using Queueing.Shared.Events;

namespace Queueing.Actuate.Tests.TestSupport;

/// <summary>
/// What Lambda's SQS event source mapping does for the publisher: receive a FIFO batch (up to 10, all system and
/// message attributes), invoke with the SQS event, delete what was not reported as a batch item failure, and
/// make the failures visible again at once (the test's stand-in for their visibility timeout running out).
/// </summary>
internal sealed class SqsEventSource(IAmazonSQS sqs, CommandQueues queues)
{
    public int InvocationCount { get; private set; }

    /// <summary>One poll and invocation; the number of records handed to the function (0: nothing was ready).</summary>
    public async Task<(int Records, SqsBatchResponse? Response)> PollOnceAsync(CommandPublisherFunction function, TimeProvider time)
    {
        var received = await sqs.ReceiveMessageAsync(new ReceiveMessageRequest
        {
            QueueUrl = queues.QueueUrl,
            MaxNumberOfMessages = 10,
            MessageSystemAttributeNames = ["All"],
            MessageAttributeNames = ["All"],
        });
        var messages = received.Messages ?? [];
        if (messages.Count == 0)
        {
            return (0, null);
        }

        var sqsEvent = new SqsEvent { Records = messages.Select(ToRecord).ToList() };
        InvocationCount++;
        var response = await function.HandleAsync(sqsEvent, TestSupport.Invocations.Context(time), CancellationToken.None);
        var failed = response.BatchItemFailures.Select(f => f.ItemIdentifier).ToHashSet(StringComparer.Ordinal);
        foreach (var message in messages)
        {
            if (failed.Contains(message.MessageId))
            {
                await sqs.ChangeMessageVisibilityAsync(queues.QueueUrl, message.ReceiptHandle, 0);
            }
            else
            {
                await sqs.DeleteMessageAsync(queues.QueueUrl, message.ReceiptHandle);
            }
        }

        return (messages.Count, response);
    }

    /// <summary>Polls until the queue has nothing ready, at most <paramref name="maxPolls"/> times.</summary>
    public async Task DrainAsync(CommandPublisherFunction function, TimeProvider time, int maxPolls = 30)
    {
        for (var i = 0; i < maxPolls; i++)
        {
            if ((await PollOnceAsync(function, time)).Records == 0)
            {
                return;
            }
        }
    }

    private SqsMessage ToRecord(Message message) => SqsMessage.FromReceived(message, queues.QueueArn, "us-east-1");
}
