using Amazon.SQS;
using Amazon.SQS.Model;

namespace Queueing.Testing;

/// <summary>Reads a whole queue for assertions at the end of a test: receives (10 at a time, all attributes) until
/// a receive comes back empty. <paramref name="delete"/> deletes each batch as it comes, so FIFO groups do not block
/// the rest; without it the messages stay in flight for <paramref name="visibilitySeconds"/>.</summary>
public static class QueueReader
{
    public static async Task<List<Message>> ReceiveAllAsync(
        IAmazonSQS sqs, string queueUrl, bool delete, int visibilitySeconds = 300, int waitSeconds = 0)
    {
        var all = new List<Message>();
        while (true)
        {
            var response = await sqs.ReceiveMessageAsync(new ReceiveMessageRequest
            {
                QueueUrl = queueUrl,
                MaxNumberOfMessages = 10,
                WaitTimeSeconds = waitSeconds,
                VisibilityTimeout = visibilitySeconds,
                MessageAttributeNames = ["All"],
                MessageSystemAttributeNames = ["All"],
            });
            if (response.Messages is not { Count: > 0 } messages)
            {
                return all;
            }

            all.AddRange(messages);
            if (delete)
            {
                foreach (var message in messages)
                {
                    await sqs.DeleteMessageAsync(queueUrl, message.ReceiptHandle);
                }
            }
        }
    }
}
