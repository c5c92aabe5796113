namespace Queueing.Contracts.Events;

/// <summary>
/// One spare record array and one spare body buffer, kept from one event to the next. A function reads one event at
/// a time, so one of each is all it ever needs. Not the shared <see cref="System.Buffers.ArrayPool{T}"/>: it keeps a
/// returned array for the returning thread first, and an event is read on one thread and released on another
/// (after the awaits of its invocation), so the next event would miss it and allocate megabytes again. Taking the
/// spare is atomic: events read at the same time (tests, a local host) get fresh arrays, never a shared one.
/// </summary>
internal static class SpareEventBuffers
{
    private static SqsRecord[]? _records;
    private static byte[]? _bodies;

    public static SqsRecord[] TakeRecords(int minimumLength)
    {
        var spare = Interlocked.Exchange(ref _records, null);
        return spare is not null && spare.Length >= minimumLength ? spare : new SqsRecord[minimumLength];
    }

    public static byte[] TakeBodies(int minimumLength)
    {
        var spare = Interlocked.Exchange(ref _bodies, null);
        return spare is not null && spare.Length >= minimumLength ? spare : GC.AllocateUninitializedArray<byte>(minimumLength);
    }

    /// <summary>Keeps <paramref name="records"/> (its first <paramref name="used"/> entries cleared: they hold strings and
    /// slices of an invocation that is over) unless a larger spare is already kept.</summary>
    public static void Return(SqsRecord[] records, int used)
    {
        Array.Clear(records, 0, used);
        Keep(ref _records, records);
    }

    public static void Return(byte[] bodies) => Keep(ref _bodies, bodies);

    private static void Keep<T>(ref T[]? slot, T[] array)
    {
        var previous = Interlocked.Exchange(ref slot, array);
        if (previous is not null && previous.Length > array.Length)
        {
            // The larger one is the one the next event needs; put it back (a racing return may replace it: no harm).
            Interlocked.Exchange(ref slot, previous);
        }
    }
}
