using Queueing.Ingest.Telemetry;

namespace Queueing.Ingest.Rounds;

/// <summary>
/// Splits one round into Waylay requests of at most <see cref="MaxEvents"/> events and about
/// <see cref="MaxBytes"/> bytes. Why these numbers: docs/ingest.md ("Request size").
/// </summary>
internal sealed class RequestChunker
{
    public const int DefaultMaxEvents = 100;
    public const int DefaultMaxBytes = 1024 * 1024;

    public RequestChunker(int maxEvents = DefaultMaxEvents, int maxBytes = DefaultMaxBytes)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxEvents, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxBytes, 2);
        MaxEvents = maxEvents;
        MaxBytes = maxBytes;
    }

    public int MaxEvents { get; }
    public int MaxBytes { get; }

    /// <summary>Consecutive slices of <paramref name="round"/>; a single event larger than the byte cap goes alone.</summary>
    public IReadOnlyList<IReadOnlyList<TelemetryReading>> Chunk(IReadOnlyList<TelemetryReading> round)
    {
        var chunks = new List<IReadOnlyList<TelemetryReading>>(round.Count / MaxEvents + 1);
        var current = new List<TelemetryReading>(Math.Min(round.Count, MaxEvents));
        var bytes = 2; // [ ]
        foreach (var reading in round)
        {
            var size = reading.EncodedLength + 1; // and a comma
            if (current.Count > 0 && (current.Count == MaxEvents || bytes + size > MaxBytes))
            {
                chunks.Add(current);
                current = [];
                bytes = 2;
            }

            current.Add(reading);
            bytes += size;
        }

        if (current.Count > 0)
        {
            chunks.Add(current);
        }

        return chunks;
    }
}
