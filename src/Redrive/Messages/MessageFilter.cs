namespace Queueing.Redrive.Messages;

/// <summary>
/// Which dead letters a command acts on. Every given criterion must hold: kind is one of <see cref="Kinds"/>,
/// device equals <see cref="Device"/>, sent at or after <see cref="Since"/>, body or error contains <see cref="Grep"/>.
/// </summary>
internal sealed record MessageFilter(IReadOnlySet<string> Kinds, string? Device, DateTimeOffset? Since, string? Grep)
{
    public static MessageFilter None { get; } = new(new HashSet<string>(), null, null, null);

    public bool IsEmpty => Kinds.Count == 0 && Device is null && Since is null && Grep is null;

    public bool Matches(DeadLetter letter) =>
        (Kinds.Count == 0 || Kinds.Contains(letter.Kind))
        && (Device is null || string.Equals(letter.Device, Device, StringComparison.Ordinal))
        && (Since is null || (letter.SentTime is { } sent && sent >= Since))
        && (Grep is null
            || letter.Body.Contains(Grep, StringComparison.OrdinalIgnoreCase)
            || letter.Error.Contains(Grep, StringComparison.OrdinalIgnoreCase));
}
