namespace Queueing.Local.EventSources;

/// <summary>
/// FIFO message groups held by batches in flight. A batch takes all its groups at once or waits (no batch holds
/// one group while waiting for another, so two batches cannot deadlock). SQS already withholds a group while its
/// messages are in flight; this keeps the rule when SQS hands a group out again anyway, e.g. after the visibility
/// timeout expired during a slow invocation, or when moto hands later messages of a group to a concurrent receive.
/// Batches take their groups in the order they were received: <see cref="Reserve"/> (called where receives are
/// serialized) hands out tickets, and a batch waits while an earlier ticket wants one of its groups.
/// </summary>
internal sealed class MessageGroupLocks
{
    private readonly HashSet<string> _held = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();
    private readonly List<(long Ticket, IReadOnlyCollection<string> Groups)> _reserved = [];
    private long _nextTicket;
    private TaskCompletionSource _released = NewSignal();

    /// <summary>Queues a claim on <paramref name="groups"/>, behind every earlier claim; the ticket is for <see cref="AcquireAsync"/>.</summary>
    public long Reserve(IReadOnlyCollection<string> groups)
    {
        lock (_lock)
        {
            var ticket = _nextTicket++;
            _reserved.Add((ticket, groups));
            return ticket;
        }
    }

    /// <summary>Takes every group of the reservation once no batch holds one of them and no earlier reservation
    /// wants one, calling <paramref name="waiting"/> once if it has to wait. Cancelled, it gives the reservation up.</summary>
    public async Task AcquireAsync(long ticket, IReadOnlyCollection<string> groups, Action waiting, CancellationToken cancellationToken)
    {
        var waited = false;
        try
        {
            while (true)
            {
                Task released;
                lock (_lock)
                {
                    var earlier = _reserved.Any(r => r.Ticket < ticket && r.Groups.Any(groups.Contains));
                    if (!earlier && !groups.Any(_held.Contains))
                    {
                        _held.UnionWith(groups);
                        _reserved.RemoveAll(r => r.Ticket == ticket);
                        return;
                    }

                    released = _released.Task;
                }

                if (!waited)
                {
                    waited = true;
                    waiting();
                }

                await released.WaitAsync(cancellationToken);
            }
        }
        catch (OperationCanceledException)
        {
            lock (_lock)
            {
                _reserved.RemoveAll(r => r.Ticket == ticket);
            }

            Signal();
            throw;
        }
    }

    public void Release(IReadOnlyCollection<string> groups)
    {
        lock (_lock)
        {
            _held.ExceptWith(groups);
        }

        Signal();
    }

    private void Signal()
    {
        TaskCompletionSource released;
        lock (_lock)
        {
            released = _released;
            _released = NewSignal();
        }

        released.TrySetResult();
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
