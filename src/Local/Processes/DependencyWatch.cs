namespace Queueing.Local.Processes;

/// <summary>A child process the stack cannot run without (moto, the Node.js plug host) that ended on its own.</summary>
internal sealed record DependencyLoss(string Name, string How)
{
    /// <summary>The one line a user sees: what stopped, and that the run ends.</summary>
    public string Line => $"{Name} {How}: the run ended there, with the books above; every other child process was stopped.";
}

/// <summary>
/// Watches the children the stack depends on. The first one to exit before <see cref="Stopping"/> is the
/// <see cref="Lost"/> dependency, and <see cref="LostToken"/> is cancelled, so whatever the run was waiting for
/// ends at once with a clear reason instead of a connection error somewhere downstream.
/// </summary>
internal sealed class DependencyWatch : IDisposable
{
    private readonly CancellationTokenSource _lost = new();
    private volatile bool _stopping;
    private DependencyLoss? _loss;

    public DependencyLoss? Lost => Volatile.Read(ref _loss);

    public CancellationToken LostToken => _lost.Token;

    /// <summary>Watches a child: <paramref name="exited"/> completes when it ends; <paramref name="describe"/> says
    /// how (called then), e.g. "exited (signal 9)".</summary>
    public void Watch(string name, Task exited, Func<string> describe) =>
        exited.ContinueWith(
            _ =>
            {
                if (_stopping || Interlocked.CompareExchange(ref _loss, new DependencyLoss(name, describe()), null) is not null)
                {
                    return;
                }

                try
                {
                    _lost.Cancel();
                }
                catch (ObjectDisposedException)
                {
                    // The stack was disposed while this child was exiting: nobody is waiting any more.
                }
            },
            CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);

    /// <summary>From now on the children exit because the stack stops them: not a loss.</summary>
    public void Stopping() => _stopping = true;

    /// <summary>Waits up to <paramref name="timeout"/> for a loss to be seen: a request to a dependency can fail a
    /// moment before its process's exit is reaped.</summary>
    public async Task<DependencyLoss?> WaitAsync(TimeSpan timeout)
    {
        try
        {
            await Task.Delay(timeout, _lost.Token);
        }
        catch (OperationCanceledException)
        {
            // Lost.
        }

        return Lost;
    }

    public void Dispose()
    {
        _stopping = true;
        _lost.Dispose();
    }
}
