using System.Collections.Concurrent;

namespace Queueing.Emulators.Waylay.Broker;

/// <summary>
/// The broker's message cache: the last <see cref="Capacity"/> messages per resource, in event-timestamp order
/// (ties keep arrival order), so "current" is the most recent by timestamp even when a retried, older event
/// arrives late. A message posted with a <c>ttl</c> disappears once it has expired.
/// </summary>
internal sealed class MessageCache(int capacity, TimeProvider time)
{
    private readonly ConcurrentDictionary<string, List<Entry>> _byResource = new(StringComparer.Ordinal);

    public int Capacity { get; } = capacity > 0 ? capacity : throw new ArgumentOutOfRangeException(nameof(capacity));

    public void Store(BrokerEvent message, TimeSpan? ttl)
    {
        var expiresAt = ttl is { } t ? time.GetUtcNow() + t : (DateTimeOffset?)null;
        var list = _byResource.GetOrAdd(message.Resource, _ => []);
        lock (list)
        {
            // Insert after every message with a timestamp <= this one: timestamp order, arrival order for ties.
            var index = list.Count;
            while (index > 0 && list[index - 1].Message.Timestamp > message.Timestamp)
            {
                index--;
            }

            list.Insert(index, new Entry(message, expiresAt));
            if (list.Count > Capacity)
            {
                list.RemoveAt(0);
            }
        }
    }

    /// <summary>The live messages of <paramref name="resource"/>, oldest first.</summary>
    public IReadOnlyList<BrokerEvent> Messages(string resource)
    {
        if (!_byResource.TryGetValue(resource, out var list))
        {
            return [];
        }

        var now = time.GetUtcNow();
        lock (list)
        {
            list.RemoveAll(e => e.ExpiresAt <= now);
            return list.Select(e => e.Message).ToArray();
        }
    }

    public BrokerEvent? Current(string resource) => Messages(resource) is { Count: > 0 } messages ? messages[^1] : null;

    public int Remove(string resource)
    {
        if (!_byResource.TryRemove(resource, out var list))
        {
            return 0;
        }

        lock (list)
        {
            return list.Count;
        }
    }

    private sealed record Entry(BrokerEvent Message, DateTimeOffset? ExpiresAt);
}
