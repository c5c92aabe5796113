using Queueing.Shared.DeadLetters;

namespace Queueing.Ingest.Parking;

/// <summary>Where records go that will never be delivered: the DLQ in production, a recorder in unit tests.</summary>
public interface IRecordParker
{
    /// <summary>Parks what it can; a record counts as handled only when it is in <see cref="ParkResult.Parked"/>.</summary>
    Task<ParkResult> ParkAsync(IReadOnlyList<ParkRequest> requests, CancellationToken cancellationToken);
}

/// <summary>The dead-letter queue, through Shared's <see cref="DeadLetterParker"/> (SendMessageBatch with the reason).</summary>
public sealed class DeadLetterQueueParker : IRecordParker
{
    private readonly DeadLetterParker _parker;

    public DeadLetterQueueParker(DeadLetterParker parker) => _parker = parker;

    public Task<ParkResult> ParkAsync(IReadOnlyList<ParkRequest> requests, CancellationToken cancellationToken) =>
        _parker.ParkAsync(requests, cancellationToken);
}
