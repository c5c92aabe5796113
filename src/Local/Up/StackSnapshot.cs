using System.Globalization;
using Amazon.SQS;
using Queueing.Local.Aws;
using Queueing.Local.Devices;
using Queueing.Local.EventSources;
using Queueing.Local.IoT.Data;
using Queueing.Local.IoT.Rules;
using Queueing.Local.Template;
using Queueing.Local.Waylay;

namespace Queueing.Local.Up;

/// <summary>One flow's books: every message sent is delivered, dead-lettered (with its reason) or lost.</summary>
internal sealed record FlowAccount(string Flow, long Sent, long Delivered, long DeadLettered, long InFlight)
{
    /// <summary>False when the queues could not be read (the local AWS is gone, and its queues with it): then
    /// <see cref="DeadLettered"/> and <see cref="InFlight"/> are unknown, and at most Sent - Delivered was lost.</summary>
    public bool QueuesRead { get; init; } = true;

    public long Lost => Math.Max(0, Sent - Delivered - DeadLettered);

    /// <summary>Delivered or dead-lettered more than once (a retry whose first try had landed), shown, not hidden.</summary>
    public long Duplicates => Math.Max(0, Delivered + DeadLettered - Sent);

    public string Line => QueuesRead
        ? $"sent {Sent}, delivered {Delivered}, dead-lettered {DeadLettered}, lost {Lost}"
        : $"sent {Sent}, delivered {Delivered}, dead-lettered unknown, lost up to {Math.Max(0, Sent - Delivered)} (the queues could not be read)";

    /// <summary>While the stack runs: what is still moving is in flight, not lost.</summary>
    public string LiveLine => $"sent {Sent}, delivered {Delivered}, dead-lettered {DeadLettered}, in flight {InFlight}";
}

internal sealed record QueueDepth(string Name, long Visible, long InFlight, long Delayed, bool IsDeadLetterQueue)
{
    /// <summary>False when the queue could not be read (the counts are 0 then).</summary>
    public bool Read { get; init; } = true;

    public long Total => Visible + InFlight + Delayed;
}

/// <summary>How the ingest event source batched: invocations of the telemetry queues' functions for the messages
/// they received (a message received again after a failure counts again).</summary>
internal sealed record IngestBatching(long Invocations, long Messages)
{
    public double PerThousandMessages => Messages == 0 ? 0 : Invocations * 1000.0 / Messages;

    public string Line => string.Create(
        CultureInfo.InvariantCulture,
        $"ingest: {Invocations} invocations for {Messages} messages ({PerThousandMessages:0} per 1,000 messages, {(Invocations == 0 ? 0 : (double)Messages / Invocations):0.0} per batch)");
}

/// <summary>What devices and callers outside the tool did: telemetry they published (in the telemetry books) and
/// commands accepted for devices that are not simulated (outside the commands' books).</summary>
internal sealed record OutsideCounts(long TelemetryPublished, long CommandsAccepted);

internal sealed record DeviceView(string ThingName, bool Connected, int? LastValue, string? LastCommand, int CommandsReceived);

internal sealed record FunctionView(string LogicalId, long Invocations, long Errors, string? LastError);

/// <summary>Everything the live view and the summary show, read at one moment.</summary>
internal sealed record StackSnapshot(
    TimeSpan Elapsed,
    IReadOnlyList<DeviceView> Devices,
    FleetCounters Fleet,
    TopicRuleCounters Rules,
    IotDataCounters IotData,
    WaylaySandboxSnapshot Waylay,
    IReadOnlyList<(string Function, string Queue, SqsPollerCounters Counters)> Pollers,
    IReadOnlyList<(string Api, HttpApiCounters Counters)> HttpApis,
    IReadOnlyList<FunctionView> Functions,
    IReadOnlyList<QueueDepth> Queues,
    long CommandsAccepted,
    OutsideCounts Outside,
    FlowAccount Telemetry,
    FlowAccount Commands,
    LoopLatency LoopLatency,
    IngestBatching Ingest)
{
    /// <summary>Nothing is still moving: the source queues are empty, no batch is in flight and every message sent is
    /// delivered or dead-lettered (a duplicate, delivered and later dead-lettered too, does not keep it moving).</summary>
    public bool Settled => Telemetry.InFlight == 0 && Commands.InFlight == 0 && Telemetry.Lost == 0 && Commands.Lost == 0;

    /// <param name="queuesMayBeGone">For the books after a dependency was lost: a queue that cannot be read is
    /// counted as unknown instead of failing the snapshot.</param>
    public static async Task<StackSnapshot> TakeAsync(EmulatedStack stack, TimeSpan elapsed, CancellationToken cancellationToken, bool queuesMayBeGone = false)
    {
        var depths = new Dictionary<string, QueueDepth>(StringComparer.Ordinal);
        var deadLetterArns = stack.Model.Queues.Values.Select(q => q.DeadLetterTargetArn).OfType<string>().ToHashSet(StringComparer.Ordinal);
        var queuesRead = true;
        foreach (var queue in stack.Model.Queues.Values)
        {
            var isDeadLetterQueue = deadLetterArns.Contains(queue.Arn);
            try
            {
                depths[queue.LogicalId] = queuesRead
                    ? await DepthAsync(stack.Sqs, queue, isDeadLetterQueue, cancellationToken)
                    : Unread(queue, isDeadLetterQueue);
            }
            catch (Exception ex) when (queuesMayBeGone && (LocalAwsFailure.Is(ex) || ex is OperationCanceledException))
            {
                // Gone, or retried by the SDK until the reading's time ran out: unknown, and the next ones too.
                queuesRead = false;
                depths[queue.LogicalId] = Unread(queue, isDeadLetterQueue);
            }
        }

        var devices = stack.Fleet.Devices
            .Select(d => new DeviceView(d.ThingName, d.IsConnected, d.LastValue, d.LastCommand?.Payload, d.CommandsReceived))
            .ToList();
        var waylay = stack.Waylay.Snapshot();
        var rules = stack.Rules.Counters;
        var pollers = stack.Pollers.Select(p => (p.FunctionLogicalId, p.Queue.QueueName, p.Counters)).ToList();
        var fleet = stack.Fleet.Counters;

        long Sum(IEnumerable<QueueDefinition> queues) => queues.Sum(q => depths[q.LogicalId].Total);
        // A batch a poller holds is in its queue's not-visible count until deleted: the depths cover it.
        var telemetryInFlight = Sum(stack.TelemetryQueues)
            + (rules.MessagesMatched - rules.ActionsSucceeded - rules.ErrorsRouted - rules.ErrorsUnrouted);
        var telemetry = new FlowAccount(
            "telemetry",
            fleet.Published + stack.Outside.TelemetryPublished,
            waylay.Broker.DistinctEvents,
            Sum(stack.TelemetryDeadLetters),
            telemetryInFlight)
        {
            QueuesRead = queuesRead,
        };

        var received = stack.Fleet.Devices
            .SelectMany(d => d.Commands)
            .Select(c => c.CommandId)
            .OfType<string>()
            .Distinct(StringComparer.Ordinal)
            .LongCount();
        // Only the simulated devices' commands: whether your own device got its commands, the tool cannot see.
        var forSimulated = stack.Fleet.Devices.Sum(d => (long)stack.Commands.AcceptedFor(d.ThingName).Count);
        var commands = new FlowAccount(
            "commands",
            forSimulated,
            received,
            Sum(stack.CommandDeadLetters),
            Sum(stack.CommandQueues))
        {
            QueuesRead = queuesRead,
        };

        return new StackSnapshot(
            elapsed,
            devices,
            fleet,
            rules,
            stack.IotData.Counters,
            waylay,
            pollers,
            [.. stack.HttpApis.Select(a => (a.ApiLogicalId, a.Counters))],
            [.. stack.Functions.Values.Select(f => new FunctionView(f.LogicalId, f.Invocations, f.Errors, f.LastError))],
            [.. stack.Model.Queues.Values.Select(q => depths[q.LogicalId] with { Name = q.QueueName })],
            stack.Commands.Accepted,
            new OutsideCounts(stack.Outside.TelemetryPublished, stack.Commands.Accepted - forSimulated),
            telemetry,
            commands,
            stack.Fleet.LoopLatency,
            new IngestBatching(
                stack.Pollers.Where(p => stack.TelemetryQueues.Contains(p.Queue)).Sum(p => p.Counters.Invocations),
                stack.Pollers.Where(p => stack.TelemetryQueues.Contains(p.Queue)).Sum(p => p.Counters.Received)));
    }

    private static QueueDepth Unread(QueueDefinition queue, bool isDeadLetterQueue) =>
        new(queue.QueueName, 0, 0, 0, isDeadLetterQueue) { Read = false };

    private static async Task<QueueDepth> DepthAsync(IAmazonSQS sqs, QueueDefinition queue, bool isDeadLetterQueue, CancellationToken cancellationToken)
    {
        var attributes = await sqs.GetQueueAttributesAsync(
            queue.Url,
            ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible", "ApproximateNumberOfMessagesDelayed"],
            cancellationToken);
        return new QueueDepth(
            queue.QueueName,
            attributes.ApproximateNumberOfMessages,
            attributes.ApproximateNumberOfMessagesNotVisible,
            attributes.ApproximateNumberOfMessagesDelayed,
            isDeadLetterQueue);
    }
}
