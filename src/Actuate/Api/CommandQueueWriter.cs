using Amazon.Runtime;
using Amazon.SQS;
using Amazon.SQS.Model;
using Queueing.Actuate.Commands;
using Queueing.Contracts.Events;
using Queueing.Contracts.Sqs;
using Queueing.Contracts.Time;

namespace Queueing.Actuate.Api;

/// <summary>Enqueues an accepted command into <c>CommandQueue.fifo</c>, its FIFO group being the device.</summary>
internal sealed class CommandQueueWriter(IAmazonSQS sqs, string queueUrl)
{
    private readonly IAmazonSQS _sqs = sqs;
    private readonly string _queueUrl = queueUrl;

    /// <summary>Null once SQS confirmed the message; otherwise the problem to answer (nothing was accepted).</summary>
    /// <param name="traceHeader">The invocation's X-Ray trace header (<c>Lambda-Runtime-Trace-Id</c>): sent as the
    /// message's <c>AWSTraceHeader</c>, so the publisher's invocation joins the command's trace. Null: none sent.</param>
    public async Task<Problem?> EnqueueAsync(Command command, string deduplicationId, string? traceHeader, CancellationToken cancellationToken)
    {
        var request = new SendMessageRequest
        {
            QueueUrl = _queueUrl,
            MessageBody = CommandMessage.Serialize(command),
            MessageGroupId = command.DeviceId,
            MessageDeduplicationId = deduplicationId,
            MessageAttributes = new Dictionary<string, MessageAttributeValue>(StringComparer.Ordinal)
            {
                [CommandAttributes.CommandId] = SqsMessageAttributes.Text(command.CommandId),
                [CommandAttributes.AcceptedAt] = SqsMessageAttributes.Text(IsoTime.Format(command.AcceptedAt)),
                [CommandAttributes.ExpiresAt] = SqsMessageAttributes.Text(IsoTime.Format(command.ExpiresAt)),
            },
        };
        if (!string.IsNullOrEmpty(traceHeader))
        {
            // The one system attribute SQS takes on a send; it does not count toward the message's size.
            request.MessageSystemAttributes = new Dictionary<string, MessageSystemAttributeValue>(StringComparer.Ordinal)
            {
                [SqsAttributeNames.AwsTraceHeader] = new() { DataType = "String", StringValue = traceHeader },
            };
        }

        try
        {
            await _sqs.SendMessageAsync(request, cancellationToken);
            return null;
        }
        catch (AmazonServiceException ex) when (AwsFailures.IsTransient(ex))
        {
            return Problem.Unavailable($"The command queue is unavailable ({ex.ErrorCode ?? ex.StatusCode.ToString()}); the command was not accepted. Retry the same signed request, or with the same Idempotency-Key.");
        }
        catch (AmazonServiceException ex)
        {
            return Problem.Internal($"The command queue refused the command ({ex.ErrorCode ?? ex.StatusCode.ToString()}); it was not accepted.");
        }
        // The SDK already retried; a network fault or our own deadline means SQS may be down right now.
        catch (Exception ex) when (AwsFailures.IsTransient(ex))
        {
            return Problem.Unavailable("The command queue could not be reached in time; the command was not accepted. Retry the same signed request, or with the same Idempotency-Key.");
        }
    }
}
