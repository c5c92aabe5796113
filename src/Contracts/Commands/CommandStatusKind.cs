namespace Queueing.Shared.Commands;

/// <summary>
/// The <c>commandEvent</c> of a status message the command publisher sends to IngestQueue. The ack rule's records
/// carry <c>commandEvent</c> <c>"ack"</c>, which is no status message (see <see cref="CommandAck"/>).
/// </summary>
public enum CommandStatusKind
{
    /// <summary>IoT Data Publish accepted the command.</summary>
    Published,
    /// <summary>Parked in CommandDLQ as expired: its time-to-live ran out before it could be published.</summary>
    Expired,
    /// <summary>Parked in CommandDLQ as rejected (IoT Core refused it, or its recorded topic disagreed).</summary>
    Rejected,
    /// <summary>Parked in CommandDLQ as exhausted: its last receive the redrive policy allows failed transiently (or
    /// was not attempted after an earlier command's transient failure); never published.</summary>
    Undelivered,
    /// <summary>Sent with <see cref="Published"/>, delayed until the command's expiry: the ack is due.</summary>
    AckDue,
}

public static class CommandStatusKinds
{
    /// <summary>The <c>commandEvent</c> value of the rule's acknowledgement records.</summary>
    public const string Ack = "ack";

    public static string ToWire(this CommandStatusKind kind) => kind switch
    {
        CommandStatusKind.Published => "published",
        CommandStatusKind.Expired => "expired",
        CommandStatusKind.Rejected => "rejected",
        CommandStatusKind.Undelivered => "undelivered",
        CommandStatusKind.AckDue => "ackDue",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
    };

    public static bool TryParse(string? wire, out CommandStatusKind kind)
    {
        foreach (var candidate in Enum.GetValues<CommandStatusKind>())
        {
            if (string.Equals(candidate.ToWire(), wire, StringComparison.Ordinal))
            {
                kind = candidate;
                return true;
            }
        }

        kind = default;
        return false;
    }
}
