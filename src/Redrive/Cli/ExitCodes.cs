namespace Queueing.Redrive.Cli;

public static class ExitCodes
{
    public const int Ok = 0;
    /// <summary>Some messages could not be moved or sent, or the run was interrupted; the summary says which.</summary>
    public const int PartialFailure = 1;
    /// <summary>Nothing was done: bad arguments, unknown queue, not a DLQ, bad credentials, unsupported endpoint.</summary>
    public const int Usage = 2;
}
