namespace Queueing.Local.EventSources;

/// <summary>
/// FIFO message groups held by batches in flight. A batch takes all its groups at once or waits (no batch holds
/// one group while waiting for another, so two batches cannot deadlock). SQS already withholds a group while its
/// messages are in flight; this keeps the rule when SQS hands a group out again anyway, e.g. after the visibility
/// timeout expired during a slow invocation.
/// </summary>
internal sealed class MessageGroupLocks
{
    private readonly HashSet<string> _held = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();
    private TaskCompletionSource _released = NewSignal();

    /// <summary>Takes every group of <paramref name="groups"/>, calling <paramref name="waiting"/> once if it has to wait.</summary>
    public async Task AcquireAsync(IReadOnlyCollection<string> groups, Action waiting, CancellationToken cancellationToken)
    {
        var waited = false;
        while (true)
        {
            Task released;
            lock (_lock)
            {
                if (!groups.Any(_held.Contains))
                {
                    _held.UnionWith(groups);
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

    public void Release(IReadOnlyCollection<string> groups)
    {
        TaskCompletionSource released;
        lock (_lock)
        {
            _held.ExceptWith(groups);
            released = _released;
            _released = NewSignal();
        }

        released.TrySetResult();
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
