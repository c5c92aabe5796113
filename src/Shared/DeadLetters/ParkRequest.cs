using Queueing.Shared.Events;

namespace Queueing.Shared.DeadLetters;

/// <summary>Send <paramref name="Record"/> to the dead-letter queue because of <paramref name="Kind"/>: <paramref name="Error"/>.</summary>
public sealed record ParkRequest(SqsMessage Record, DeadLetterKind Kind, string Error);

/// <summary>Which records are now safely in the DLQ, and which could not be sent (and so must be retried).</summary>
public sealed record ParkResult(IReadOnlySet<string> Parked, IReadOnlyDictionary<string, string> Failed);
