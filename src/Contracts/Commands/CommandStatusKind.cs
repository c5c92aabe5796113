namespace Queueing.Contracts.Commands;

/// <summary>
/// A command's status as Waylay sees it: the <c>commandStatus</c> of the event Ingest makes of each command outcome
/// (docs/commands.md), declared in the order the local stack lists them. The command publisher sends five of them as
/// status messages on IngestQueue, the kind being their <c>commandEvent</c> (<see cref="CommandStatusKinds.SentByPublisher"/>);
/// the other two come from a device's acknowledgement, whose records carry <c>commandEvent</c> <c>"ack"</c>
/// (see <see cref="CommandAck"/>).
/// </summary>
public enum CommandStatusKind
{
    /// <summary>IoT Data Publish accepted the command.</summary>
    Published,
    /// <summary>The device acknowledged <c>"done"</c>.</summary>
    Acknowledged,
    /// <summary>The device acknowledged <c>"failed"</c>.</summary>
    Failed,
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

    /// <summary>The field of the Waylay events that carries the status; telemetry events never carry it.</summary>
    public const string WaylayField = "commandStatus";

    /// <summary>The kinds of the command publisher's status messages, in the order a command meets them: published
    /// with its ackDue, or parked as one of three.</summary>
    public static IReadOnlyList<CommandStatusKind> SentByPublisher { get; } =
        [CommandStatusKind.Published, CommandStatusKind.AckDue, CommandStatusKind.Expired, CommandStatusKind.Rejected, CommandStatusKind.Undelivered];

    public static string ToWire(this CommandStatusKind kind) => kind switch
    {
        CommandStatusKind.Published => "published",
        CommandStatusKind.Acknowledged => "acknowledged",
        CommandStatusKind.Failed => "failed",
        CommandStatusKind.Expired => "expired",
        CommandStatusKind.Rejected => "rejected",
        CommandStatusKind.Undelivered => "undelivered",
        CommandStatusKind.AckDue => "ackDue",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
    };

    /// <summary>The kind of a status message's <c>commandEvent</c>; false for anything the publisher does not send.</summary>
    public static bool TryParseSentByPublisher(string? wire, out CommandStatusKind kind)
    {
        foreach (var candidate in SentByPublisher)
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
