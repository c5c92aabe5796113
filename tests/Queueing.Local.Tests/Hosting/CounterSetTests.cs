using Queueing.Emulators.Hosting;

namespace Queueing.Local.Tests.Hosting;

/// <summary>An emulator's counters: counted on one live instance, read as a copy.</summary>
public sealed class CounterSetTests
{
    [Fact]
    public async Task Snapshot_AfterConcurrentCounting_HoldsEveryCount()
    {
        var counts = new SampleCounters();

        await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(() =>
        {
            for (var i = 0; i < 10_000; i++)
            {
                Interlocked.Increment(ref counts.Requests);
                Interlocked.Add(ref counts.Bytes, 3);
                Interlocked.Increment(ref counts.Open);
                Interlocked.Decrement(ref counts.Open);
            }
        })));

        Assert.Equal(new SampleCounters { Requests = 40_000, Bytes = 120_000 }, counts.Snapshot());
    }

    [Fact]
    public void Snapshot_CountingGoesOn_TheCopyDoesNotMove()
    {
        var counts = new SampleCounters();
        Interlocked.Increment(ref counts.Requests);

        var snapshot = counts.Snapshot();
        Interlocked.Increment(ref counts.Requests);

        Assert.NotSame(counts, snapshot);
        Assert.Equal(1, snapshot.Requests);
        Assert.Equal(2, counts.Snapshot().Requests);
    }

    private sealed record SampleCounters : CounterSet<SampleCounters>
    {
        public long Requests;
        public long Bytes;
        public int Open;
    }
}
