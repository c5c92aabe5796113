using System.Collections.Concurrent;

namespace Queueing.Local.Waylay.Broker;

/// <summary>The last event the broker took for one resource (for the live view).</summary>
public sealed record ResourceLastEvent(string Resource, long Timestamp, string EventJson, DateTimeOffset ReceivedAt);

/// <summary>The broker's counters at one moment.</summary>
public sealed record BrokerSnapshot(
    long Requests,
    long Unauthorized,
    long Refused,
    long EventsReceived,
    long EventsStored,
    long EventsForwarded,
    long FaultsInjected,
    long ServerErrorsInjected,
    long ThrottlesInjected,
    IReadOnlyDictionary<string, ResourceLastEvent> LastEvents)
{
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

    /// <summary>Events carrying none of the tallied fields, once per resource and timestamp among them (an event of
    /// the same millisecond with a tallied field does not hide one).</summary>
    public long UntalliedEvents { get; init; }
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
    private long _untallied;
    private long _requests;
    private long _unauthorized;
    private long _refused;
    private long _eventsReceived;
    private long _eventsStored;
    private long _eventsForwarded;
    private long _serverErrors;
    private long _throttles;
    private readonly ConcurrentDictionary<string, ResourceLastEvent> _last = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<(string Resource, long Timestamp), byte> _distinct = new();

    internal void Request() => Interlocked.Increment(ref _requests);

    internal void Unauthorized() => Interlocked.Increment(ref _unauthorized);

    internal void Refused() => Interlocked.Increment(ref _refused);

    internal void ServerErrorInjected() => Interlocked.Increment(ref _serverErrors);

    internal void ThrottleInjected() => Interlocked.Increment(ref _throttles);

    internal void Accepted(IReadOnlyList<BrokerEvent> events, bool stored, bool forwarded, DateTimeOffset now)
    {
        Interlocked.Add(ref _eventsReceived, events.Count);
        if (stored)
        {
            Interlocked.Add(ref _eventsStored, events.Count);
        }

        if (forwarded)
        {
            Interlocked.Add(ref _eventsForwarded, events.Count);
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
            Interlocked.Increment(ref _untallied);
        }
    }

    public BrokerSnapshot Snapshot()
    {
        var serverErrors = Interlocked.Read(ref _serverErrors);
        var throttles = Interlocked.Read(ref _throttles);
        return new BrokerSnapshot(
            Interlocked.Read(ref _requests),
            Interlocked.Read(ref _unauthorized),
            Interlocked.Read(ref _refused),
            Interlocked.Read(ref _eventsReceived),
            Interlocked.Read(ref _eventsStored),
            Interlocked.Read(ref _eventsForwarded),
            serverErrors + throttles,
            serverErrors,
            throttles,
            new Dictionary<string, ResourceLastEvent>(_last, StringComparer.Ordinal))
        {
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
            UntalliedEvents = Interlocked.Read(ref _untallied),
        };
    }
}
