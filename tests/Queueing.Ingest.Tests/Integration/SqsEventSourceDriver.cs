using System.Globalization;
using System.Text.Json;
using Amazon.SQS;
using Amazon.SQS.Model;
using Queueing.Shared.Events;
using Queueing.Shared.Json;
using Queueing.Shared.Logging;
using Queueing.Shared.Runtime;

namespace Queueing.Ingest.Tests.Integration;

/// <summary>
/// Plays Lambda's SQS event source mapping with ReportBatchItemFailures against a real queue: receive a batch,
/// hand the function the event Lambda would build, delete what it did not report as failed, and make the
/// failures visible again at once (instead of waiting out the visibility timeout), until the queue is empty.
/// </summary>
internal sealed class SqsEventSourceDriver
{
    private readonly IAmazonSQS _sqs;
    private readonly string _queueUrl;
    private readonly string _queueArn;
    private readonly IFunctionHandler _function;

    public SqsEventSourceDriver(IAmazonSQS sqs, string queueUrl, string queueArn, IFunctionHandler function)
    {
        _sqs = sqs;
        _queueUrl = queueUrl;
        _queueArn = queueArn;
        _function = function;
    }

    public int Invocations { get; private set; }
    public int ReportedFailures { get; private set; }

    /// <summary>Called after each invocation (e.g. to rotate credentials between invocations).</summary>
    public Action<int>? AfterInvocation { get; set; }

    public async Task RunUntilEmptyAsync(int maxInvocations = 300)
    {
        while (Invocations < maxInvocations)
        {
            var received = await _sqs.ReceiveMessageAsync(new ReceiveMessageRequest
            {
                QueueUrl = _queueUrl,
                MaxNumberOfMessages = 10,
                WaitTimeSeconds = 0,
                VisibilityTimeout = 60,
                MessageSystemAttributeNames = ["All"],
                MessageAttributeNames = ["All"],
            });
            var messages = received.Messages ?? [];
            if (messages.Count == 0)
            {
                if (await IsEmptyAsync())
                {
                    return;
                }

                await Task.Delay(50);
                continue;
            }

            await InvokeAsync(messages);
        }

        throw new InvalidOperationException($"The queue was not empty after {maxInvocations} invocations.");
    }

    private async Task InvokeAsync(List<Message> messages)
    {
        var sqsEvent = new SqsEvent { Records = [.. messages.Select(ToRecord)] };
        var payload = JsonSerializer.SerializeToUtf8Bytes(sqsEvent, SharedJsonContext.Default.SqsEvent);
        var invocation = new Invocation(
            Guid.NewGuid().ToString(), DateTimeOffset.UtcNow.AddSeconds(30), "arn:aws:lambda:us-east-1:123456789012:function:ingest", null, null, null, payload);
        var context = new InvocationContext(invocation, "ingest", TimeProvider.System, new JsonLogWriter(Stream.Null));
        var answer = await context.InvokeAsync(_function, payload, CancellationToken.None);
        var response = JsonSerializer.Deserialize(answer, SharedJsonContext.Default.SqsBatchResponse)!;
        Invocations++;

        var failed = response.BatchItemFailures.Select(f => f.ItemIdentifier).ToHashSet();
        ReportedFailures += failed.Count;
        var done = messages.Where(m => !failed.Contains(m.MessageId)).ToList();
        var retry = messages.Where(m => failed.Contains(m.MessageId)).ToList();
        if (done.Count > 0)
        {
            await _sqs.DeleteMessageBatchAsync(new DeleteMessageBatchRequest
            {
                QueueUrl = _queueUrl,
                Entries = [.. done.Select((m, i) => new DeleteMessageBatchRequestEntry { Id = "d" + i, ReceiptHandle = m.ReceiptHandle })],
            });
        }

        if (retry.Count > 0)
        {
            await _sqs.ChangeMessageVisibilityBatchAsync(new ChangeMessageVisibilityBatchRequest
            {
                QueueUrl = _queueUrl,
                Entries = [.. retry.Select((m, i) => new ChangeMessageVisibilityBatchRequestEntry { Id = "v" + i, ReceiptHandle = m.ReceiptHandle, VisibilityTimeout = 0 })],
            });
        }

        AfterInvocation?.Invoke(Invocations);
    }

    private SqsMessage ToRecord(Message message) => SqsMessage.FromReceived(message, _queueArn, "us-east-1");

    private async Task<bool> IsEmptyAsync()
    {
        var attributes = await _sqs.GetQueueAttributesAsync(new GetQueueAttributesRequest
        {
            QueueUrl = _queueUrl,
            AttributeNames = ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible", "ApproximateNumberOfMessagesDelayed"],
        });
        return attributes.Attributes.Values.All(v => int.Parse(v, CultureInfo.InvariantCulture) == 0);
    }
}
