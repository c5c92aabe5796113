using Queueing.AotBench.Events;
using Queueing.AotBench.Runs;
using Queueing.Contracts.Commands;
using Queueing.Emulators.IoT.Broker;
using Queueing.Emulators.IoT.Data;
using Queueing.Local.Functions;

namespace Queueing.AotBench.Scenarios;

/// <summary>
/// The command publisher: 10-record FIFO batches against the local stack's IoT Data endpoint (SigV4 verified on every
/// publish, then into a local MQTT broker with no subscriber) and an IngestQueue stand-in for its status messages
/// (<see cref="StatusQueueStandIn"/>: SendMessageBatch answered at once; moto, which keeps every message and slows as
/// the queue fills, stays SQS for the rest of the stack). Every invocation must answer with no batch item failure,
/// the endpoint must have published exactly its 10 commands, refusing none, and IngestQueue must have taken exactly
/// two status messages per command of the batch: <c>published</c>, and <c>ackDue</c> held back by a delay.
/// </summary>
internal sealed class PublisherScenario(int devices) : IBenchScenario
{
    private MqttBroker? _mqtt;
    private IotDataEndpoint? _iotData;
    private CommandBatchEvents? _events;
    private StatusQueueStandIn? _statusQueue;

    public string Unit => "command";

    public int ItemsPerInvocation => CommandBatchEvents.BatchSize;

    public async Task<IReadOnlyDictionary<string, string>> StartAsync(BenchStack stack, CancellationToken cancellationToken)
    {
        _mqtt = new MqttBroker(new MqttBrokerOptions());
        await _mqtt.StartAsync(cancellationToken);
        _iotData = new IotDataEndpoint(
            new IotDataEndpointOptions(new SigV4Credentials(LocalAwsAccess.AccessKeyId, LocalAwsAccess.SecretAccessKey, LocalAwsAccess.SessionToken), stack.Access.Region),
            _mqtt);
        await _iotData.StartAsync(cancellationToken);
        var source = stack.Function.SqsEvents.FirstOrDefault()
            ?? throw new InvalidOperationException($"{stack.Function.LogicalId} has no SQS event source in the template.");
        var topics = stack.Function.Environment.GetValueOrDefault("COMMAND_TOPIC_TEMPLATE")
            ?? throw new InvalidOperationException($"{stack.Function.LogicalId} has no COMMAND_TOPIC_TEMPLATE in the template.");
        _events = new CommandBatchEvents(devices, source.QueueArn, stack.Access.Region, topics);
        var statusQueue = stack.Function.Environment.GetValueOrDefault("STATUS_QUEUE_URL")
            ?? throw new InvalidOperationException($"{stack.Function.LogicalId} has no STATUS_QUEUE_URL in the template.");
        _statusQueue = await StatusQueueStandIn.StartAsync(new Uri(statusQueue).AbsolutePath, cancellationToken);
        return new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["IOT_DATA_ENDPOINT"] = _iotData.BaseAddress.ToString().TrimEnd('/'),
            // The function's one SQS client (status sender and dead-letter parker) goes to the stand-in; SSM stays on
            // moto (AWS_ENDPOINT_URL). A parking call would be refused there and fail the run: no clean run parks.
            ["AWS_ENDPOINT_URL_SQS"] = _statusQueue.Endpoint,
            ["STATUS_QUEUE_URL"] = _statusQueue.QueueUrl,
        };
    }

    public string Describe() =>
        $"publisher: 10-record FIFO batches over {devices} devices (message group = device) per invocation; IoT Data stand-in on loopback (SigV4 checked) " +
        "and IngestQueue stand-in (SQS JSON SendMessageBatch, status bodies read with the contract's reader) answering at once" +
        (_statusQueue is { } queue ? $"; IngestQueue took {queue.Taken:N0} status messages in {queue.Requests:N0} calls (all runs, warm-ups included)" : "");

    public byte[] NextEvent()
    {
        // What the stand-in took outside an invocation is not this one's; a clean run has none.
        var stray = StatusQueue.Drain();
        return stray.Count == 0
            ? Events.Next(DateTimeOffset.UtcNow)
            : throw new BenchFailure($"IngestQueue took {stray.Count} status messages between invocations.");
    }

    public StandInCount Count()
    {
        var counters = (_iotData ?? throw new InvalidOperationException("The scenario is not started.")).Counters;
        var refused = counters.Forbidden + counters.BadRequests + counters.TooLarge + StatusQueue.Refused;
        return new StandInCount(counters.Published + refused, counters.Published, refused);
    }

    public string? Check(byte[] response, StandInCount taken)
    {
        if (BatchResponse.Problem(response) is { } problem)
        {
            return problem;
        }

        if (taken.Refused != 0)
        {
            return $"The IoT Data endpoint or the IngestQueue stand-in refused {taken.Refused} requests (last IngestQueue refusal: {StatusQueue.LastRefusal ?? "none"}).";
        }

        if (taken.Items != CommandBatchEvents.BatchSize)
        {
            return $"The IoT Data endpoint published {taken.Items} of the {CommandBatchEvents.BatchSize} commands.";
        }

        return StatusProblem(StatusQueue.Drain(), Events.LastCommandIds);
    }

    /// <summary>Null when IngestQueue took exactly one <c>published</c> and one delayed <c>ackDue</c> per command.</summary>
    private static string? StatusProblem(IReadOnlyList<StatusEntry> entries, IReadOnlyList<string> commandIds)
    {
        var expected = 2 * commandIds.Count;
        if (entries.FirstOrDefault(e => e.Message is null) is { } malformed)
        {
            return $"IngestQueue took a status message its contract does not read: {malformed.Problem}";
        }

        var published = entries.Where(e => e.Message!.Kind == CommandStatusKind.Published).Select(e => e.Message!.CommandId).Order(StringComparer.Ordinal).ToList();
        var ackDue = entries.Where(e => e.Message!.Kind == CommandStatusKind.AckDue).ToList();
        var ids = commandIds.Order(StringComparer.Ordinal).ToList();
        if (entries.Count != expected || !published.SequenceEqual(ids) || !ackDue.Select(e => e.Message!.CommandId).Order(StringComparer.Ordinal).SequenceEqual(ids))
        {
            var kinds = string.Join(", ", entries.GroupBy(e => e.Message!.Kind.ToWire()).Select(g => $"{g.Count()} {g.Key}"));
            return $"IngestQueue took {entries.Count} status messages ({(kinds.Length == 0 ? "none" : kinds)}) for the {commandIds.Count} commands: " +
                $"expected {expected}, one published and one ackDue per command.";
        }

        return ackDue.FirstOrDefault(e => e.DelaySeconds <= 0) is { } undelayed
            ? $"The ackDue status of {undelayed.Message!.CommandId} is not held back (DelaySeconds {undelayed.DelaySeconds})."
            : null;
    }

    public Task<string?> CheckRunAsync(CancellationToken cancellationToken) => Task.FromResult<string?>(null);

    private CommandBatchEvents Events => _events ?? throw new InvalidOperationException("The scenario is not started.");

    private StatusQueueStandIn StatusQueue => _statusQueue ?? throw new InvalidOperationException("The scenario is not started.");

    public async ValueTask DisposeAsync()
    {
        if (_statusQueue is not null)
        {
            await _statusQueue.DisposeAsync();
        }

        if (_iotData is not null)
        {
            await _iotData.DisposeAsync();
        }

        if (_mqtt is not null)
        {
            await _mqtt.DisposeAsync();
        }
    }
}
