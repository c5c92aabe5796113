namespace Queueing.Contracts.DeadLetters;

/// <summary>Why a message left its main queue without being delivered.</summary>
public enum DeadLetterKind
{
    /// <summary>The body can never be processed (not JSON, missing fields, too large). Parked on first sight.</summary>
    Malformed,
    /// <summary>The destination refused it for good (Waylay 400, IoT 400/403/413), or Queueing did: a payload that
    /// set a field only the IoT rule may set (deviceId, receivedAt).</summary>
    Rejected,
    /// <summary>Transient failures on every allowed receive: the last receive parks it with the last error.</summary>
    Exhausted,
    /// <summary>A command past its time-to-live: never executed.</summary>
    Expired,
}

public static class DeadLetterKinds
{
    public static string ToWire(this DeadLetterKind kind) => kind switch
    {
        DeadLetterKind.Malformed => "malformed",
        DeadLetterKind.Rejected => "rejected",
        DeadLetterKind.Exhausted => "exhausted",
        DeadLetterKind.Expired => "expired",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
    };

    public static bool TryParse(string? value, out DeadLetterKind kind)
    {
        foreach (var candidate in Enum.GetValues<DeadLetterKind>())
        {
            if (string.Equals(candidate.ToWire(), value, StringComparison.OrdinalIgnoreCase))
            {
                kind = candidate;
                return true;
            }
        }

        kind = default;
        return false;
    }
}
