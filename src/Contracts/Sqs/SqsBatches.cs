namespace Queueing.Contracts.Sqs;

/// <summary>Splits messages into SendMessageBatch requests that respect SQS's per-batch limits.</summary>
public static class SqsBatches
{
    /// <summary>SendMessageBatch takes at most 10 entries.</summary>
    public const int MaxEntries = 10;

    // The summed size of a batch is capped; 256 KiB is the long-standing limit and stays safe on queues created
    // before the 1 MiB raise.
    public const int MaxBytes = 256 * 1024;

    /// <summary>
    /// Groups <paramref name="items"/> in order into chunks of at most <paramref name="maxEntries"/> entries whose
    /// estimated sizes sum to at most <see cref="MaxBytes"/>; an item larger than that goes alone.
    /// </summary>
    public static IEnumerable<List<T>> Chunk<T>(IReadOnlyList<T> items, Func<T, int> estimatedBytes, int maxEntries = MaxEntries)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxEntries, 1);
        var chunk = new List<T>(maxEntries);
        var bytes = 0;
        foreach (var item in items)
        {
            var size = estimatedBytes(item);
            if (chunk.Count > 0 && (chunk.Count == maxEntries || bytes + size > MaxBytes))
            {
                yield return chunk;
                chunk = new List<T>(maxEntries);
                bytes = 0;
            }

            chunk.Add(item);
            bytes += size;
        }

        if (chunk.Count > 0)
        {
            yield return chunk;
        }
    }
}
