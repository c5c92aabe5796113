using System.Threading.Channels;
using Microsoft.Extensions.Time.Testing;

namespace Queueing.Ingest.Tests.Support;

/// <summary>
/// A <see cref="FakeTimeProvider"/> that tells the test when code under test starts waiting, so the test advances
/// time only after the timer exists (a continuation on the thread pool may create it a little later).
/// </summary>
internal sealed class TimerAwareTimeProvider : FakeTimeProvider
{
    private readonly Channel<TimeSpan> _created = Channel.CreateUnbounded<TimeSpan>();

    public TimerAwareTimeProvider(DateTimeOffset start) : base(start)
    {
    }

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = new SignallingTimer(base.CreateTimer(callback, state, dueTime, period), _created.Writer);
        _created.Writer.TryWrite(dueTime);
        return timer;
    }

    /// <summary>Also reports re-armed timers (a pooled CancellationTokenSource's CancelAfter changes its timer).</summary>
    private sealed class SignallingTimer(ITimer inner, ChannelWriter<TimeSpan> changes) : ITimer
    {
        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            var changed = inner.Change(dueTime, period);
            changes.TryWrite(dueTime);
            return changed;
        }

        public void Dispose() => inner.Dispose();

        public ValueTask DisposeAsync() => inner.DisposeAsync();
    }

    /// <summary>Waits until a timer due in <paramref name="dueTime"/> was created, then moves the clock by that much.</summary>
    public async Task AdvanceWhenWaitingAsync(TimeSpan dueTime)
    {
        await WaitForTimerAsync(dueTime);
        Advance(dueTime);
    }

    /// <summary>Waits (real time only as a safety net) until a timer due in <paramref name="dueTime"/> was created.</summary>
    public async Task WaitForTimerAsync(TimeSpan dueTime)
    {
        using var safety = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        while (await _created.Reader.ReadAsync(safety.Token) != dueTime)
        {
        }
    }
}
