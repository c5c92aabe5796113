namespace Queueing.Redrive.Scanning;

/// <summary>How complete a scan was, for the notes under a command's output.</summary>
internal sealed record ScanReport(int Examined, long NotReached, bool LeaseLapsed, bool StoppedAtMax, bool Interrupted, int ReleaseFailures, int VisibilityTimeoutSeconds, bool Fifo)
{
    public IEnumerable<string> Notes()
    {
        if (Interrupted)
        {
            yield return "Interrupted: the scan stopped early; held messages were returned to the queue.";
        }

        if (LeaseLapsed)
        {
            yield return $"The scan outlasted its visibility timeout ({VisibilityTimeoutSeconds} s): messages came back while it ran and it stopped there. Run it again with a larger --visibility-timeout to reach the rest.";
        }

        if (NotReached > 0 && !StoppedAtMax)
        {
            yield return Fifo
                ? $"{NotReached} message(s) were not reached: on a FIFO queue SQS hands out no message of a group while an earlier one of that group is held, and this command holds what it does not move."
                : $"{NotReached} message(s) were not reached (they arrived or became visible during the scan).";
        }

        if (ReleaseFailures > 0)
        {
            yield return $"{ReleaseFailures} message(s) could not be returned at once; they come back when their visibility timeout ({VisibilityTimeoutSeconds} s) ends.";
        }
    }
}
