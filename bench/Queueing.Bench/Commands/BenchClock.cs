namespace Queueing.Bench.Commands;

/// <summary>
/// A clock that stands still at the moment the benchmark requests were signed, so every iteration sees a fresh
/// timestamp and builds the same command. Timers still run on the system clock (the base implementation).
/// </summary>
internal sealed class BenchClock(DateTimeOffset now) : TimeProvider
{
    public override DateTimeOffset GetUtcNow() => now;
}
