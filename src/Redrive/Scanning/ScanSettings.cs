namespace Queueing.Redrive.Scanning;

/// <summary>
/// How a scan receives. <see cref="VisibilityTimeoutSeconds"/> hides every received message for the scan so the
/// next receive brings new ones; it must outlast the scan (a message whose timeout lapses comes back and the scan
/// stops when a round brings only messages it has seen). <see cref="WaitSeconds"/> is the long poll that decides
/// "nothing left": a long poll asks every SQS server, so an empty answer means no visible message.
/// </summary>
internal sealed record ScanSettings(int VisibilityTimeoutSeconds, int WaitSeconds = 1)
{
    // SQS's limit for a visibility timeout.
    public const int MaxVisibilityTimeoutSeconds = 43_200;
}
