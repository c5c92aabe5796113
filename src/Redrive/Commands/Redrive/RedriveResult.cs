
namespace Queueing.Redrive.Commands.Redrive;

internal static class Outcomes
{
    public const string Moved = "moved";
    public const string WouldMove = "would-move";
    public const string Failed = "failed";
}

/// <summary>What a redrive did, message by message, and how complete its scan was.</summary>
internal sealed class RedriveResult(bool dryRun)
{
    private readonly List<MessageOutcomeLine> _outcomes = [];
    private readonly List<DeadLetter> _wouldMove = [];

    public bool DryRun { get; } = dryRun;
    public int Matched { get; set; }
    public int SkippedByFilter { get; set; }
    public int Moved { get; private set; }
    public int Failed { get; private set; }
    public ScanReport? Scan { get; set; }
    public string? ScanError { get; set; }
    public IReadOnlyList<MessageOutcomeLine> Outcomes => _outcomes;
    public IReadOnlyList<DeadLetter> WouldMoveLetters => _wouldMove;
    public int WouldMove => _wouldMove.Count;

    public bool Complete => Failed == 0 && ScanError is null && Scan is not { Interrupted: true };

    public void AddMoved(DeadLetter letter, string target, string? newMessageId)
    {
        Moved++;
        _outcomes.Add(new MessageOutcomeLine(letter.MessageId, Redrive.Outcomes.Moved, target, newMessageId, null));
    }

    public void AddWouldMove(DeadLetter letter, string target)
    {
        _wouldMove.Add(letter);
        _outcomes.Add(new MessageOutcomeLine(letter.MessageId, Redrive.Outcomes.WouldMove, target, null, null));
    }

    public void AddFailed(DeadLetter letter, string? target, string error)
    {
        Failed++;
        _outcomes.Add(new MessageOutcomeLine(letter.MessageId, Redrive.Outcomes.Failed, target, null, error));
    }
}
