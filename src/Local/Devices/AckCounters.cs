namespace Queueing.Local.Devices;

/// <summary>
/// What the simulated devices answered to the commands they received: <see cref="Received"/> = acks published with
/// status done (<see cref="Acknowledged"/>) or failed (<see cref="Failed"/>) + <see cref="Silent"/> (no ack: the
/// silence rate, or a command without a command id) + <see cref="NotPublished"/> (an ack the broker refused or that
/// could not be sent) + <see cref="Pending"/> (an ack not yet published).
/// </summary>
internal sealed record AckCounters(long Received, long Acknowledged, long Failed, long Silent, long NotPublished, long Pending)
{
    public static AckCounters Zero { get; } = new(0, 0, 0, 0, 0, 0);

    public static AckCounters operator +(AckCounters a, AckCounters b) => new(
        a.Received + b.Received,
        a.Acknowledged + b.Acknowledged,
        a.Failed + b.Failed,
        a.Silent + b.Silent,
        a.NotPublished + b.NotPublished,
        a.Pending + b.Pending);

    /// <summary><c>acks: sent N, acknowledged A, failed F, silent S</c>, N the commands the devices received; the acks
    /// not published and still pending are named only when there are some.</summary>
    public string Line =>
        $"acks: sent {Received}, acknowledged {Acknowledged}, failed {Failed}, silent {Silent}"
        + (NotPublished > 0 ? $", not published {NotPublished} (refused by the broker or not sent)" : string.Empty)
        + (Pending > 0 ? $", pending {Pending}" : string.Empty);
}
