using System.Text.Json;
using Queueing.Contracts.Events;
using Queueing.Contracts.Json;
using Queueing.Emulators.Lambda;

namespace Queueing.Local.EventSources;

internal enum BatchOutcomeKind
{
    /// <summary>Every record succeeded: all are deleted.</summary>
    Succeeded,

    /// <summary>The function reported some records as failed (ReportBatchItemFailures): the others are deleted.</summary>
    PartialFailure,

    /// <summary>The invocation failed (function error, timeout, init error...): nothing is deleted.</summary>
    FunctionError,

    /// <summary>A batch response Lambda cannot use: the whole batch failed, nothing is deleted.</summary>
    MalformedResponse,
}

/// <summary>What an invocation's result means for each record of its batch, as Lambda's SQS event source reads it.</summary>
internal sealed record BatchOutcome(BatchOutcomeKind Kind, IReadOnlyList<bool> Failed, string? Detail)
{
    public int FailedCount => Failed.Count(f => f);

    /// <summary>
    /// Reads <paramref name="result"/> for <paramref name="records"/> (in batch order). With ReportBatchItemFailures,
    /// an empty or null <c>batchItemFailures</c>, <c>{}</c>, <c>null</c> or an empty response is success; a response
    /// that is not JSON, or an item whose <c>itemIdentifier</c> is missing, empty or not a message of the batch,
    /// fails the whole batch. On FIFO every record after a failed one of the same group fails too, as Lambda keeps
    /// the group's order.
    /// </summary>
    public static BatchOutcome Read(InvocationResult result, IReadOnlyList<SqsMessage> records, bool reportBatchItemFailures, bool fifo)
    {
        if (result.IsError)
        {
            return All(BatchOutcomeKind.FunctionError, records.Count, result.ErrorType ?? result.Outcome.ToString());
        }

        if (!reportBatchItemFailures || result.Payload.AsSpan().Trim(" \t\r\n"u8).IsEmpty)
        {
            return new BatchOutcome(BatchOutcomeKind.Succeeded, new bool[records.Count], null);
        }

        SqsBatchResponse? response;
        try
        {
            response = JsonSerializer.Deserialize(result.Payload, SharedJsonContext.Default.SqsBatchResponse);
        }
        catch (JsonException ex)
        {
            return All(BatchOutcomeKind.MalformedResponse, records.Count, "the response is not a batch response: " + ex.Message);
        }

        if (response is null || response.BatchItemFailures.Count == 0)
        {
            return new BatchOutcome(BatchOutcomeKind.Succeeded, new bool[records.Count], null);
        }

        var ids = new HashSet<string>(StringComparer.Ordinal);
        foreach (var failure in response.BatchItemFailures)
        {
            if (string.IsNullOrEmpty(failure?.ItemIdentifier))
            {
                return All(BatchOutcomeKind.MalformedResponse, records.Count, "a batchItemFailures entry has no itemIdentifier");
            }

            if (!records.Any(r => r.MessageId == failure.ItemIdentifier))
            {
                return All(BatchOutcomeKind.MalformedResponse, records.Count, $"itemIdentifier '{failure.ItemIdentifier}' is not a message of the batch");
            }

            ids.Add(failure.ItemIdentifier);
        }

        var failed = new bool[records.Count];
        var failedGroups = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < records.Count; i++)
        {
            var group = fifo ? records[i].MessageGroupId ?? string.Empty : null;
            failed[i] = ids.Contains(records[i].MessageId) || (group is not null && failedGroups.Contains(group));
            if (failed[i] && group is not null)
            {
                failedGroups.Add(group);
            }
        }

        return new BatchOutcome(BatchOutcomeKind.PartialFailure, failed, null);
    }

    private static BatchOutcome All(BatchOutcomeKind kind, int count, string detail) => new(kind, Enumerable.Repeat(true, count).ToArray(), detail);
}
