namespace Queueing.Redrive.Cli;

/// <summary>The DLQ tool's exit codes (documented in --help). Its own, beside Local's: the codes past 0 mean different things in each tool.</summary>
internal static class ExitCodes
{
    /// <summary>Everything asked for was done.</summary>
    public const int Success = 0;
    /// <summary>Some messages could not be moved or sent, or the run was interrupted; the summary says which.</summary>
    public const int PartialFailure = 1;
    /// <summary>Nothing was done: bad arguments, unknown queue, not a DLQ, bad credentials, unsupported endpoint.</summary>
    public const int Usage = 2;
}
