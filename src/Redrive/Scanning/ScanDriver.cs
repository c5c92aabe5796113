
namespace Queueing.Redrive.Scanning;

/// <summary>
/// Runs a scan to its end: rounds until the queue has nothing new, the handler says stop, or Ctrl+C; then counts
/// what was not reached and releases every held message. An AWS failure after the first round ends the scan with
/// <see cref="ScanReport"/> saying so (what was done stays done); a failure on the first round is the command's
/// failure (credentials, permissions) and propagates.
/// </summary>
internal static class ScanDriver
{
    /// <param name="onRound">Handles a round's messages; returns true to stop the scan (e.g. --max reached).</param>
    public static async Task<(ScanReport Report, string? Error)> RunAsync(
        QueueScanner scanner,
        SqsQueue queue,
        QueueDirectory directory,
        ScanSettings settings,
        Func<IReadOnlyList<DeadLetter>, CancellationToken, Task<bool>> onRound,
        Action<int>? progress,
        CancellationToken cancellationToken)
    {
        var stopped = false;
        var interrupted = false;
        long notReached = 0;
        string? error = null;
        var rounds = 0;
        var releaseFailures = 0;
        try
        {
            while (true)
            {
                var round = await scanner.NextRoundAsync(cancellationToken);
                rounds++;
                if (round.Count == 0)
                {
                    break;
                }

                var letters = round.Select(DeadLetterReader.Read).ToList();
                var stop = await onRound(letters, cancellationToken);
                progress?.Invoke(letters.Count);
                if (stop)
                {
                    stopped = true;
                    break;
                }
            }

            // Counted before the release: what is still visible now was never handed to this scan.
            notReached = stopped ? 0 : (await directory.RefreshAsync(queue, cancellationToken)).Visible;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            interrupted = true;
        }
        catch (Exception ex) when (rounds > 0 && AwsErrors.IsCallFailure(ex))
        {
            error = ex.Message;
        }
        finally
        {
            // Runs on success, Ctrl+C and failures alike: hand back everything not deleted.
            releaseFailures = await scanner.ReleaseAsync();
        }

        var report = new ScanReport(scanner.Examined, notReached, scanner.LeaseLapsed, stopped, interrupted, releaseFailures, settings.VisibilityTimeoutSeconds, queue.IsFifo);
        return (report, error);
    }
}
