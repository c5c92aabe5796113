using System.Globalization;
using Queueing.Emulators.Template;

namespace Queueing.Local.EventSources;

/// <summary>
/// What Lambda's CreateEventSourceMapping refuses for an SQS source, checked before the stack starts so a template
/// that would not deploy does not run locally either. From the Lambda documentation (services-sqs-parameters,
/// API_CreateEventSourceMapping, services-sqs-configure): BatchSize 1 to 10,000 for a standard queue and 1 to 10
/// for a FIFO queue; MaximumBatchingWindowInSeconds 0 to 300; a BatchSize above 10 needs a window of at least 1 s;
/// the function's timeout must not exceed the queue's visibility timeout.
/// </summary>
internal static class SqsEventSourceRules
{
    public const int MaxBatchSize = 10_000;
    public const int MaxFifoBatchSize = 10;
    public const int MaxBatchingWindowSeconds = 300;

    /// <summary>Largest batch Lambda takes without a batching window.</summary>
    public const int MaxBatchSizeWithoutWindow = 10;

    /// <summary>Every problem of every SQS event of the model, each naming the function and event.</summary>
    public static IReadOnlyList<string> Problems(StackModel model) =>
        [.. from function in model.Functions.Values
            from source in function.SqsEvents
            let queue = model.QueueByArnOrUrl(source.QueueArn)
            where queue is not null
            from problem in Problems(function, source, queue)
            select $"Resource '{function.LogicalId}', event '{source.Name}': {problem}"];

    public static IEnumerable<string> Problems(FunctionDefinition function, SqsEventSource source, QueueDefinition queue)
    {
        var maxBatch = queue.Fifo ? MaxFifoBatchSize : MaxBatchSize;
        if (source.BatchSize < 1 || source.BatchSize > maxBatch)
        {
            yield return $"BatchSize must be from 1 to {maxBatch:N0} for a {(queue.Fifo ? "FIFO" : "standard")} queue, not {source.BatchSize}.";
        }

        if (source.MaximumBatchingWindowInSeconds is < 0 or > MaxBatchingWindowSeconds)
        {
            yield return $"MaximumBatchingWindowInSeconds must be from 0 to {MaxBatchingWindowSeconds}, not {source.MaximumBatchingWindowInSeconds}.";
        }

        if (!queue.Fifo && source.BatchSize > MaxBatchSizeWithoutWindow && source.MaximumBatchingWindowInSeconds < 1)
        {
            yield return $"a BatchSize above {MaxBatchSizeWithoutWindow} ({source.BatchSize}) needs MaximumBatchingWindowInSeconds of at least 1, as Lambda requires.";
        }

        if (queue.Attributes.TryGetValue("VisibilityTimeout", out var text)
            && int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var visibility)
            && function.TimeoutSeconds > visibility)
        {
            yield return $"the function's Timeout ({function.TimeoutSeconds} s) exceeds {queue.QueueName}'s VisibilityTimeout ({visibility} s), which Lambda refuses.";
        }
    }
}
