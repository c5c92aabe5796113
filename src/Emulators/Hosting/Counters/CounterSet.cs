namespace Queueing.Emulators.Hosting;

/// <summary>
/// An emulator's counters, declared once: a record deriving from this whose public <c>long</c> (or <c>int</c>) fields
/// are the counters. The emulator keeps one live instance and counts on its fields with <see cref="Interlocked"/>
/// (<c>Interlocked.Increment(ref _counts.Requests)</c>); what it hands out is <see cref="Snapshot"/>, a copy, so
/// callers read named, typed values that no longer move, and compare them with the record's equality.
/// </summary>
/// <remarks>
/// The copy reads each field whole: aligned 64-bit reads are atomic on the 64-bit runtimes the local stack runs on
/// (x64, arm64), and the fence makes them as fresh as <see cref="Interlocked.Read(ref long)"/> would. As before,
/// the fields are read one after another, not at one instant.
/// </remarks>
public abstract record CounterSet<TSelf>
    where TSelf : CounterSet<TSelf>
{
    /// <summary>A copy of the counters as they are now.</summary>
    public TSelf Snapshot()
    {
        Interlocked.MemoryBarrier();
        return (TSelf)(this with { });
    }
}
