using Queueing.Shared.DeadLetters;
using Queueing.Shared.Events;

namespace Queueing.Ingest.Delivery;

/// <summary>
/// The fate of every record in one SQS batch. Every record starts failed and stops being a batch item failure
/// only when it was delivered or its DLQ send succeeded, so an early return or a bug loses nothing.
/// Concurrent requests of one round mark different records; the counters are updated atomically.
/// </summary>
public sealed class BatchLedger
{
    private readonly SqsRecordBatch _records;
    private readonly State[] _states;
    private readonly ParkRequest?[] _parking;

    public BatchLedger(SqsRecordBatch records)
    {
        _records = records;
        _states = new State[records.Count];
        _parking = new ParkRequest?[records.Count];
    }

    private enum State : byte
    {
        Failed,
        Delivered,
        Parking,
        Parked,
    }

    private int _delivered;

    public int Delivered => Volatile.Read(ref _delivered);
    public int ParkingFailed { get; private set; }

    public void MarkDelivered(int index)
    {
        if (_states[index] == State.Failed)
        {
            _states[index] = State.Delivered;
            Interlocked.Increment(ref _delivered);
        }
    }

    public void MarkForParking(int index, DeadLetterKind kind, string error)
    {
        if (_states[index] == State.Failed)
        {
            _states[index] = State.Parking;
            _parking[index] = new ParkRequest(_records[index], kind, error);
        }
    }

    /// <summary>Records neither delivered nor on their way to the DLQ.</summary>
    public IEnumerable<int> Unhandled()
    {
        for (var i = 0; i < _states.Length; i++)
        {
            if (_states[i] == State.Failed)
            {
                yield return i;
            }
        }
    }

    public IReadOnlyList<ParkRequest> ParkRequests()
    {
        var requests = new List<ParkRequest>();
        for (var i = 0; i < _states.Length; i++)
        {
            if (_states[i] == State.Parking)
            {
                requests.Add(_parking[i]!);
            }
        }

        return requests;
    }

    /// <summary>Parked records are handled; the rest of those sent for parking fall back to failed.</summary>
    public void Apply(ParkResult result)
    {
        for (var i = 0; i < _states.Length; i++)
        {
            if (_states[i] != State.Parking)
            {
                continue;
            }

            if (result.Parked.Contains(_records[i].MessageId))
            {
                _states[i] = State.Parked;
            }
            else
            {
                _states[i] = State.Failed;
                ParkingFailed++;
            }
        }
    }

    public int Parked(DeadLetterKind kind)
    {
        var count = 0;
        for (var i = 0; i < _states.Length; i++)
        {
            if (_states[i] == State.Parked && _parking[i]!.Kind == kind)
            {
                count++;
            }
        }

        return count;
    }

    /// <summary>The partial-batch response, as bytes: every record neither delivered nor parked is a batch item failure.</summary>
    public byte[] WriteResponse(out int failed)
    {
        var response = new SqsBatchResponseWriter();
        for (var i = 0; i < _states.Length; i++)
        {
            // A record still "Parking" was never confirmed by SQS: it is a failure like any other.
            if (_states[i] is not (State.Delivered or State.Parked))
            {
                response.AddFailure(_records[i].MessageId);
            }
        }

        failed = response.Failures;
        return response.ToBytes();
    }
}
