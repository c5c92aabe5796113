using Amazon.Runtime;
using Amazon.SQS;
using Amazon.SQS.Model;

namespace Queueing.Redrive.Commands.Redrive;

/// <summary>
/// SQS's own redrive (StartMessageMoveTask, ListMessageMoveTasks, CancelMessageMoveTask): fast and server-side,
/// but all-or-nothing (no filter) and without Queueing.RedriveCount. Emulators often lack it; that is a clear
/// error, not a stack trace.
/// </summary>
internal sealed class ServerMoves(IAmazonSQS sqs, ConnectionOptions connection)
{
    public async Task<string> StartAsync(string sourceArn, string destinationArn, int? maxPerSecond, CancellationToken cancellationToken)
    {
        var response = await CallAsync("StartMessageMoveTask", () => sqs.StartMessageMoveTaskAsync(new StartMessageMoveTaskRequest
        {
            SourceArn = sourceArn,
            DestinationArn = destinationArn,
            MaxNumberOfMessagesPerSecond = maxPerSecond,
        }, cancellationToken));
        return response.TaskHandle;
    }

    public async Task<IReadOnlyList<MoveTaskLine>> ListAsync(string sourceArn, CancellationToken cancellationToken)
    {
        var response = await CallAsync("ListMessageMoveTasks", () => sqs.ListMessageMoveTasksAsync(
            new ListMessageMoveTasksRequest { SourceArn = sourceArn, MaxResults = 10 }, cancellationToken));
        return [.. (response.Results ?? []).Select(t => new MoveTaskLine(
            t.TaskHandle,
            t.Status,
            t.SourceArn,
            t.DestinationArn,
            t.ApproximateNumberOfMessagesMoved,
            t.ApproximateNumberOfMessagesToMove,
            t.MaxNumberOfMessagesPerSecond,
            t.StartedTimestamp is { } ms ? DateTimeOffset.FromUnixTimeMilliseconds(ms) : null,
            t.FailureReason))];
    }

    public async Task<long> CancelAsync(string taskHandle, CancellationToken cancellationToken)
    {
        var response = await CallAsync("CancelMessageMoveTask", () => sqs.CancelMessageMoveTaskAsync(
            new CancelMessageMoveTaskRequest { TaskHandle = taskHandle }, cancellationToken));
        return response.ApproximateNumberOfMessagesMoved ?? 0;
    }

    private async Task<T> CallAsync<T>(string operation, Func<Task<T>> call)
    {
        try
        {
            return await call();
        }
        catch (AmazonServiceException ex) when (!AwsErrors.IsCredentialProblem(ex) && AwsErrors.IsUnsupportedOperation(ex))
        {
            throw new UsageException(
                $"The endpoint ({connection.Describe()}) does not support server-side message moves: {operation} answered HTTP {(int)ex.StatusCode} ({AwsErrors.Code(ex)}) " +
                "(moto and other emulators do not implement it). Run the redrive without --server: the client-side move works everywhere.");
        }
    }
}
