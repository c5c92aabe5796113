namespace Queueing.Shared.DeadLetters;

/// <summary>Where records go that will never be delivered: the DLQ (<see cref="DeadLetterParker"/>) in production, a recorder in unit tests.</summary>
public interface IRecordParker
{
    /// <summary>Parks what it can; a record counts as handled only when it is in <see cref="ParkResult.Parked"/>.</summary>
    Task<ParkResult> ParkAsync(IReadOnlyList<ParkRequest> requests, CancellationToken cancellationToken);
}
