using Queueing.Ingest.Telemetry;

namespace Queueing.Ingest.Rounds;

/// <summary>
/// Orders a batch for Waylay. The broker forwards an array to the rule engine only when each event is for a
/// distinct resource, so round k holds the k-th event (in time order) of every resource that has one: each
/// round has at most one event per resource, and sending rounds in order keeps every resource's events in order.
/// </summary>
internal static class RoundPlanner
{
    public static IReadOnlyList<IReadOnlyList<TelemetryReading>> Plan(IReadOnlyList<TelemetryReading> readings)
    {
        // Resources in order of first appearance, so rounds are deterministic for a given batch.
        var byResource = new Dictionary<string, List<TelemetryReading>>(StringComparer.Ordinal);
        var resources = new List<List<TelemetryReading>>();
        foreach (var reading in readings)
        {
            if (!byResource.TryGetValue(reading.Resource, out var events))
            {
                events = [];
                byResource.Add(reading.Resource, events);
                resources.Add(events);
            }

            events.Add(reading);
        }

        var roundCount = 0;
        foreach (var events in resources)
        {
            // List.Sort is not stable; the batch position breaks ties, so equal timestamps keep their SQS order.
            events.Sort(static (a, b) => a.Timestamp != b.Timestamp ? a.Timestamp.CompareTo(b.Timestamp) : a.Index.CompareTo(b.Index));
            roundCount = Math.Max(roundCount, events.Count);
        }

        var rounds = new List<IReadOnlyList<TelemetryReading>>(roundCount);
        for (var k = 0; k < roundCount; k++)
        {
            var size = 0;
            foreach (var events in resources)
            {
                size += k < events.Count ? 1 : 0;
            }

            var round = new List<TelemetryReading>(size);
            foreach (var events in resources)
            {
                if (k < events.Count)
                {
                    round.Add(events[k]);
                }
            }

            rounds.Add(round);
        }

        return rounds;
    }
}
