namespace Queueing.Contracts.Events;

/// <summary>
/// The records of one SQS event (<see cref="SqsEventReader.Read"/>). Its record array and the buffer holding the
/// unescaped bodies are reused from one event to the next (<see cref="SpareEventBuffers"/>) and handed back on
/// <see cref="Dispose"/>: the batch and its records live for one invocation, and nothing read from them may be kept
/// beyond it but the strings.
/// </summary>
public sealed class SqsRecordBatch : IDisposable
{
    private SqsRecord[] _records;
    private byte[]? _bodies;

    internal SqsRecordBatch(SqsRecord[] records, int count, byte[]? bodies)
    {
        _records = records;
        Count = count;
        _bodies = bodies;
    }

    public int Count { get; private set; }

    public ReadOnlySpan<SqsRecord> Records => _records.AsSpan(0, Count);

    public ref readonly SqsRecord this[int index] => ref Records[index];

    public void Dispose()
    {
        var records = _records;
        var used = Count;
        var bodies = _bodies;
        _records = [];
        _bodies = null;
        Count = 0;
        if (records.Length > 0)
        {
            SpareEventBuffers.Return(records, used);
        }

        if (bodies is not null)
        {
            SpareEventBuffers.Return(bodies);
        }
    }
}
