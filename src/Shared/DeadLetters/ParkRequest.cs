using Queueing.Contracts.DeadLetters;
using Queueing.Contracts.Events;

namespace Queueing.Shared.DeadLetters;

/// <summary>Send <paramref name="Record"/> to the dead-letter queue because of <paramref name="Kind"/>: <paramref name="Error"/>.</summary>
/// The record is a view into its invocation's event (<see cref="SqsRecordBatch"/>): park it within that invocation.
public sealed record ParkRequest(SqsRecord Record, DeadLetterKind Kind, string Error);

/// <summary>Which records are now safely in the DLQ, and which could not be sent (and so must be retried).</summary>
public sealed record ParkResult(IReadOnlySet<string> Parked, IReadOnlyDictionary<string, string> Failed);
