using Queueing.Contracts.DeadLetters;
using Queueing.Contracts.Events;
using Queueing.Shared.DeadLetters;

namespace Queueing.Shared.Batches;

/// <summary>
/// The fate of every record in one SQS batch, for both functions that read one. Every record starts failed and
/// stops being a batch item failure only when it was handled (delivered, published) or SQS confirmed its DLQ
/// copy, so an early return or a bug loses nothing. A record may be marked for parking with a kind and a reason;
/// one that would be retried on its last receive is parked as exhausted instead, with the reason it was not
/// handled. <see cref="ParkAsync"/> sends the marked records through one <see cref="IRecordParker"/> and
/// <see cref="WriteResponse"/> writes the partial-batch response. Concurrent callers may mark different records
/// (Ingest's requests of one round); the handled count is updated atomically.
/// </summary>
public sealed class BatchLedger
{
    private readonly SqsRecordBatch _records;
    private readonly State[] _states;
    private readonly ParkRequest?[] _parking;
    private int _handled;

    public BatchLedger(SqsRecordBatch records)
    {
        _records = records;
        _states = new State[records.Count];
        _parking = new ParkRequest?[records.Count];
    }

    private enum State : byte
    {
        Failed,
        Handled,
        Parking,
        Parked,
    }

    public int Count => _states.Length;

    /// <summary>The SQS message id of the record at <paramref name="index"/> (for the log line about it).</summary>
    public string MessageIdOf(int index) => _records[index].MessageId;

    /// <summary>Records marked handled (delivered, published); parked ones not included.</summary>
    public int Handled => Volatile.Read(ref _handled);

    /// <summary>Records sent for parking whose DLQ send was not confirmed (they stay batch item failures).</summary>
    public int ParkingFailed { get; private set; }

    /// <summary>Records that are neither handled nor parked: the batch item failures if the batch ended now.</summary>
    public int Unfinished
    {
        get
        {
            var count = 0;
            foreach (var state in _states)
            {
                count += state is State.Handled or State.Parked ? 0 : 1;
            }

            return count;
        }
    }

    /// <summary>The record was handled; a record already marked (for parking, or handled) keeps its fate.</summary>
    public void MarkHandled(int index)
    {
        if (_states[index] == State.Failed)
        {
            _states[index] = State.Handled;
            Interlocked.Increment(ref _handled);
        }
    }

    /// <summary>The record goes to the DLQ as <paramref name="kind"/> on the next <see cref="ParkAsync"/>.</summary>
    public void MarkForParking(int index, DeadLetterKind kind, string error)
    {
        if (_states[index] == State.Failed)
        {
            _states[index] = State.Parking;
            _parking[index] = new ParkRequest(_records[index], kind, error);
        }
    }

    /// <summary>
    /// A record not handled is retried by SQS; on its last receive (<paramref name="maxReceiveCount"/>) the queue's
    /// redrive would move it to the DLQ without a reason, so it is parked as exhausted with <paramref name="error"/>.
    /// True when it was marked so.
    /// </summary>
    public bool ParkIfLastReceive(int index, int maxReceiveCount, string error)
    {
        if (_states[index] != State.Failed || _records[index].ReceiveCount < maxReceiveCount)
        {
            return false;
        }

        MarkForParking(index, DeadLetterKind.Exhausted, error);
        return true;
    }

    /// <summary>Whether any record is marked for parking (and so <see cref="ParkAsync"/> would call the parker).</summary>
    public bool HasParking => Array.IndexOf(_states, State.Parking) >= 0;

    /// <summary>Records neither handled nor on their way to the DLQ.</summary>
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

    /// <summary>
    /// Parks every record marked for parking. Those SQS confirmed are handled; the rest fall back to failed
    /// (batch item failures, delivered again). Nothing to park: the parker is not called.
    /// </summary>
    public async Task ParkAsync(IRecordParker parker, CancellationToken cancellationToken)
    {
        var requests = ParkRequests();
        if (requests.Count > 0)
        {
            Apply(await parker.ParkAsync(requests, cancellationToken));
        }
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

    /// <summary>Whether SQS confirmed the record's DLQ copy (what the publisher waits for before reporting a command
    /// expired or rejected).</summary>
    public bool IsParked(int index) => _states[index] == State.Parked;

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

    /// <summary>The partial-batch response, as bytes: every record neither handled nor parked is a batch item failure.</summary>
    public byte[] WriteResponse(out int failed)
    {
        var response = new SqsBatchResponseWriter();
        for (var i = 0; i < _states.Length; i++)
        {
            // A record still "Parking" was never confirmed by SQS: it is a failure like any other.
            if (_states[i] is not (State.Handled or State.Parked))
            {
                response.AddFailure(_records[i].MessageId);
            }
        }

        failed = response.Failures;
        return response.ToBytes();
    }
}
