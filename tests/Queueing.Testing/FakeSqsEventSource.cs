using System.Globalization;
using System.Text.Json;
using Amazon.SQS;
using Amazon.SQS.Model;
using Queueing.Contracts.Events;
using Queueing.Contracts.Json;
using Queueing.Shared.Logging;
using Queueing.Shared.Runtime;

namespace Queueing.Testing;

/// <summary>
/// Plays Lambda's SQS event source mapping with ReportBatchItemFailures against a real queue (moto): receive a
/// batch of up to 10 with all system and message attributes, hand the function the event Lambda would build (as
/// JSON, through <see cref="IFunctionHandler.InvokeAsync"/>), delete what it did not report as failed, and make
/// the failures visible again at once (instead of waiting out the visibility timeout).
/// </summary>
public sealed class FakeSqsEventSource
{
    private readonly IAmazonSQS _sqs;
    private readonly string _queueUrl;
    private readonly string _queueArn;
    private readonly IFunctionHandler _function;
    private readonly TimeProvider _time;

    /// <param name="time">The clock the invocation's deadline is read from (a fake one in tests that move time).</param>
    public FakeSqsEventSource(IAmazonSQS sqs, string queueUrl, string queueArn, IFunctionHandler function, TimeProvider? time = null)
    {
        _sqs = sqs;
        _queueUrl = queueUrl;
        _queueArn = queueArn;
        _function = function;
        _time = time ?? TimeProvider.System;
    }

    /// <summary>The visibility timeout asked for on receive, in seconds; null: the queue's own.</summary>
    public int? VisibilityTimeout { get; init; }

    /// <summary>How long each invocation has before its deadline.</summary>
    public TimeSpan InvocationTimeout { get; init; } = TimeSpan.FromSeconds(30);

    public int Invocations { get; private set; }
    public int ReportedFailures { get; private set; }

    /// <summary>Called after each invocation with the invocation count (e.g. to rotate credentials between invocations).</summary>
    public Action<int>? AfterInvocation { get; init; }

    /// <summary>One receive and, if it got anything, one invocation: the records handed over (0: nothing was ready) and the answer.</summary>
    public async Task<(int Records, SqsBatchResponse? Response)> PollOnceAsync()
    {
        var messages = await ReceiveAsync();
        if (messages.Count == 0)
        {
            return (0, null);
        }

        return (messages.Count, await InvokeAsync(messages));
    }

    /// <summary>Polls until a receive finds nothing ready, at most <paramref name="maxPolls"/> times.</summary>
    public async Task DrainAsync(int maxPolls = 30)
    {
        for (var i = 0; i < maxPolls; i++)
        {
            if ((await PollOnceAsync()).Records == 0)
            {
                return;
            }
        }
    }

    /// <summary>
    /// Polls until the queue holds nothing (visible, in flight or delayed), waiting for in-flight messages to come
    /// back; fails after <paramref name="maxInvocations"/> invocations.
    /// </summary>
    public async Task RunUntilEmptyAsync(int maxInvocations = 300)
    {
        while (Invocations < maxInvocations)
        {
            var messages = await ReceiveAsync();
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

    private async Task<List<Message>> ReceiveAsync()
    {
        var received = await _sqs.ReceiveMessageAsync(new ReceiveMessageRequest
        {
            QueueUrl = _queueUrl,
            MaxNumberOfMessages = 10,
            WaitTimeSeconds = 0,
            VisibilityTimeout = VisibilityTimeout,
            MessageSystemAttributeNames = ["All"],
            MessageAttributeNames = ["All"],
        });
        return received.Messages ?? [];
    }

    private async Task<SqsBatchResponse> InvokeAsync(List<Message> messages)
    {
        var sqsEvent = new SqsEvent { Records = [.. messages.Select(ToRecord)] };
        var payload = JsonSerializer.SerializeToUtf8Bytes(sqsEvent, SharedJsonContext.Default.SqsEvent);
        var invocation = new Invocation(
            Guid.NewGuid().ToString(), _time.GetUtcNow() + InvocationTimeout, "arn:aws:lambda:us-east-1:123456789012:function:test", null, null, null, payload);
        var context = new InvocationContext(invocation, "test-function", _time, new JsonLogWriter(Stream.Null));
        var answer = await context.InvokeAsync(_function, payload, CancellationToken.None);
        var response = JsonSerializer.Deserialize(answer, SharedJsonContext.Default.SqsBatchResponse)!;
        Invocations++;

        var failed = response.BatchItemFailures.Select(f => f.ItemIdentifier).ToHashSet(StringComparer.Ordinal);
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
        return response;
    }

    private SqsMessage ToRecord(Message message) => ReceivedRecord.From(message, _queueArn, "us-east-1");

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
