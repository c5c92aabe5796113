using System.Collections.Concurrent;
using Queueing.Emulators.Hosting;

namespace Queueing.Emulators.Waylay.Broker;

/// <summary>The last event the broker took for one resource (for the live view).</summary>
public sealed record ResourceLastEvent(string Resource, long Timestamp, string EventJson, DateTimeOffset ReceivedAt);

/// <summary>The broker's counters at one moment.</summary>
public sealed record BrokerSnapshot : CounterSet<BrokerSnapshot>
{
    public long Requests;
    public long Unauthorized;
    public long Refused;
    public long EventsReceived;
    public long EventsStored;
    public long EventsForwarded;
    public long ServerErrorsInjected;
    public long ThrottlesInjected;

    /// <summary>Events carrying none of the tallied fields, once per resource and timestamp among them (an event of
    /// the same millisecond with a tallied field does not hide one).</summary>
    public long UntalliedEvents;

    public long FaultsInjected => ServerErrorsInjected + ThrottlesInjected;

    public IReadOnlyDictionary<string, ResourceLastEvent> LastEvents { get; init; } =
        new Dictionary<string, ResourceLastEvent>(StringComparer.Ordinal);

    /// <summary>Accepted events counted once per resource and timestamp (a client's retry of an event the broker
    /// already took counts once): what the local stack reports as delivered.</summary>
    public long DistinctEvents { get; init; }

    /// <summary>For each tallied field (<see cref="BrokerOptions.TalliedFields"/>): the events carrying it, by its
    /// value (a string's text, any other JSON value as written), once per resource, timestamp and value.</summary>
    public IReadOnlyDictionary<string, IReadOnlyDictionary<string, long>> Tallies { get; init; } =
        new Dictionary<string, IReadOnlyDictionary<string, long>>(StringComparer.Ordinal);

    /// <summary>For each tallied field: per resource, each value it took and the latest timestamp of an event with
    /// it (so a caller can read the latest value, or the latest but one kind).</summary>
    public IReadOnlyDictionary<string, IReadOnlyDictionary<string, IReadOnlyDictionary<string, long>>> TalliedTimestamps { get; init; } =
        new Dictionary<string, IReadOnlyDictionary<string, IReadOnlyDictionary<string, long>>>(StringComparer.Ordinal);
}

/// <summary>
/// Counts what the broker did. Thread-safe; read with <see cref="Snapshot"/>. "Received" counts events of
/// requests the broker accepted (2xx); refused and faulted requests count under their own heads.
/// </summary>
internal sealed class BrokerCounters(IReadOnlyList<string>? talliedFields = null)
{
    private readonly IReadOnlyList<string> _talliedFields = talliedFields ?? [];
    private readonly ConcurrentDictionary<(string Field, string Value), long> _tallies = new();
    private readonly ConcurrentDictionary<(string Field, string Resource, string Value), long> _tallyTimes = new();
    private readonly ConcurrentDictionary<(string Field, string Resource, long Timestamp, string Value), byte> _talliedSeen = new();
    private readonly ConcurrentDictionary<(string Resource, long Timestamp), byte> _untalliedSeen = new();

    // The counts, in the shape callers read; Snapshot copies them and adds the maps.
    private readonly BrokerSnapshot _counts = new();
    private readonly ConcurrentDictionary<string, ResourceLastEvent> _last = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<(string Resource, long Timestamp), byte> _distinct = new();

    internal void Request() => Interlocked.Increment(ref _counts.Requests);

    internal void Unauthorized() => Interlocked.Increment(ref _counts.Unauthorized);

    internal void Refused() => Interlocked.Increment(ref _counts.Refused);

    internal void ServerErrorInjected() => Interlocked.Increment(ref _counts.ServerErrorsInjected);

    internal void ThrottleInjected() => Interlocked.Increment(ref _counts.ThrottlesInjected);

    internal void Accepted(IReadOnlyList<BrokerEvent> events, bool stored, bool forwarded, DateTimeOffset now)
    {
        Interlocked.Add(ref _counts.EventsReceived, events.Count);
        if (stored)
        {
            Interlocked.Add(ref _counts.EventsStored, events.Count);
        }

        if (forwarded)
        {
            Interlocked.Add(ref _counts.EventsForwarded, events.Count);
        }

        foreach (var e in events)
        {
            _distinct.TryAdd((e.Resource, e.Timestamp), 0);
            Tally(e);

            var last = new ResourceLastEvent(e.Resource, e.Timestamp, e.ToJsonString(), now);
            _last.AddOrUpdate(e.Resource, last, (_, old) => old.Timestamp > e.Timestamp ? old : last);
        }
    }

    /// <summary>
    /// Counts an event under each tallied field it carries, once per resource, timestamp and value (a retry counts
    /// once; two events of one resource in the same millisecond with different values are two); an event without
    /// any, once per resource and timestamp among such events.
    /// </summary>
    private void Tally(BrokerEvent e)
    {
        var tallied = false;
        foreach (var field in _talliedFields)
        {
            if (e.Json.ValueKind != System.Text.Json.JsonValueKind.Object || !e.Json.TryGetProperty(field, out var value))
            {
                continue;
            }

            tallied = true;
            var text = value.ValueKind == System.Text.Json.JsonValueKind.String ? value.GetString()! : value.GetRawText();
            if (!_talliedSeen.TryAdd((field, e.Resource, e.Timestamp, text), 0))
            {
                continue;
            }

            _tallies.AddOrUpdate((field, text), 1, (_, n) => n + 1);
            _tallyTimes.AddOrUpdate((field, e.Resource, text), e.Timestamp, (_, old) => Math.Max(old, e.Timestamp));
        }

        if (!tallied && _untalliedSeen.TryAdd((e.Resource, e.Timestamp), 0))
        {
            Interlocked.Increment(ref _counts.UntalliedEvents);
        }
    }

    public BrokerSnapshot Snapshot() => _counts.Snapshot() with
    {
        LastEvents = new Dictionary<string, ResourceLastEvent>(_last, StringComparer.Ordinal),
        DistinctEvents = _distinct.Count,
        Tallies = _talliedFields.ToDictionary(
            f => f,
            f => (IReadOnlyDictionary<string, long>)_tallies.Where(t => t.Key.Field == f).ToDictionary(t => t.Key.Value, t => t.Value, StringComparer.Ordinal),
            StringComparer.Ordinal),
        TalliedTimestamps = _talliedFields.ToDictionary(
            f => f,
            f => (IReadOnlyDictionary<string, IReadOnlyDictionary<string, long>>)_tallyTimes
                .Where(t => t.Key.Field == f)
                .GroupBy(t => t.Key.Resource, StringComparer.Ordinal)
                .ToDictionary(
                    g => g.Key,
                    g => (IReadOnlyDictionary<string, long>)g.ToDictionary(t => t.Key.Value, t => t.Value, StringComparer.Ordinal),
                    StringComparer.Ordinal),
            StringComparer.Ordinal),
    };
}
