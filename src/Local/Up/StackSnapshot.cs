using System.Globalization;
using Amazon.SQS;
using Queueing.Emulators.IoT.Data;
using Queueing.Emulators.IoT.Rules;
using Queueing.Emulators.Template;
using Queueing.Emulators.Waylay;
using Queueing.Local.Aws;
using Queueing.Local.Devices;
using Queueing.Local.EventSources;

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

/// <param name="LastCommandStatus">The last <c>commandStatus</c> Waylay has for the device, or, before Waylay has
/// one, the device's own last answer (<c>ack done</c>, <c>ack failed</c>, <c>silent</c>, <c>ack not published</c>).</param>
internal sealed record DeviceView(string ThingName, bool Connected, int? LastValue, string? LastCommand, int CommandsReceived, string? LastCommandStatus = null);

/// <summary>What Waylay saw of the commands: the broker's distinct events by <c>commandStatus</c>.</summary>
internal sealed record WaylayCommandStatuses(IReadOnlyDictionary<string, long> Counts)
{
    public long this[string status] => Counts.TryGetValue(status, out var n) ? n : 0;

    /// <summary><c>command status in Waylay: published P, acknowledged A, failed F, expired E, rejected R, undelivered U, ackDue D</c>,
    /// then any other status Waylay was sent.</summary>
    public string Line => "command status in Waylay: " + string.Join(", ",
        QueueingApplication.CommandStatuses
            .Concat(Counts.Keys.Where(k => !QueueingApplication.CommandStatuses.Contains(k)).Order(StringComparer.Ordinal))
            .Select(status => $"{status} {this[status]}"));
}

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
    IngestBatching Ingest,
    AckCounters Acks,
    WaylayCommandStatuses CommandStatuses)
{
    /// <summary>Nothing is still moving: the source queues are empty, no batch is in flight and every message sent is
    /// delivered or dead-lettered (a duplicate, delivered and later dead-lettered too, does not keep it moving).</summary>
    public bool Settled => Telemetry.InFlight == 0 && Commands.InFlight == 0 && Telemetry.Lost == 0 && Commands.Lost == 0 && Acks.Pending == 0;

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

        var waylay = stack.Waylay.Snapshot();
        var statusTimes = waylay.Broker.TalliedTimestamps.TryGetValue(QueueingApplication.CommandStatusField, out var times)
            ? times
            : new Dictionary<string, IReadOnlyDictionary<string, long>>();
        var devices = stack.Fleet.Devices
            .Select(d => new DeviceView(
                d.ThingName,
                d.IsConnected,
                d.LastValue,
                d.LastCommand?.Payload,
                d.CommandsReceived,
                LatestStatus(statusTimes, d.ThingName) ?? DeviceAnswer(d.LastAck)))
            .ToList();
        var rules = stack.Rules.Counters;
        var pollers = stack.Pollers.Select(p => (p.FunctionLogicalId, p.Queue.QueueName, p.Counters)).ToList();
        var fleet = stack.Fleet.Counters;

        long Sum(IEnumerable<QueueDefinition> queues) => queues.Sum(q => depths[q.LogicalId].Total);
        // Telemetry events are the ones without a commandStatus: command outcomes share the ingest path.
        var telemetryDelivered = waylay.Broker.Tallies.ContainsKey(QueueingApplication.CommandStatusField)
            ? waylay.Broker.UntalliedEvents
            : waylay.Broker.DistinctEvents;

        // A batch a poller holds is in its queue's not-visible count until deleted: the depths cover it. Delayed
        // messages of the telemetry queues are not telemetry: the topic rules never delay, the command publisher's
        // ackDue timers do (DelaySeconds up to the command's time-to-live), and a drain need not wait for them.
        var telemetryInFlight = stack.TelemetryQueues.Sum(q => depths[q.LogicalId].Visible + depths[q.LogicalId].InFlight)
            + (rules.MessagesMatched - rules.ActionsSucceeded - rules.ErrorsRouted - rules.ErrorsUnrouted);
        var telemetry = new FlowAccount(
            "telemetry",
            fleet.Published + stack.Outside.TelemetryPublished,
            telemetryDelivered,
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
                stack.Pollers.Where(p => stack.TelemetryQueues.Contains(p.Queue)).Sum(p => p.Counters.Received)),
            stack.Fleet.Acks,
            new WaylayCommandStatuses(waylay.Broker.Tallies.TryGetValue(QueueingApplication.CommandStatusField, out var statuses)
                ? statuses
                : new Dictionary<string, long>()));
    }

    /// <summary>
    /// The device's latest command status in Waylay, by event timestamp, leaving out <c>ackDue</c>: its timestamp is
    /// the moment the ack became due (the command's expiresAt), later than the outcome of a command that was answered
    /// in time, so it would hide every outcome once the time-to-live passed. Null when Waylay has none.
    /// </summary>
    private static string? LatestStatus(IReadOnlyDictionary<string, IReadOnlyDictionary<string, long>> times, string resource) =>
        times.TryGetValue(resource, out var byStatus)
            ? byStatus.Where(s => s.Key != "ackDue").OrderByDescending(s => s.Value).Select(s => s.Key).FirstOrDefault()
            : null;

    /// <summary>The device's own last answer, as the live view shows it until Waylay has a status.</summary>
    private static string? DeviceAnswer(string? lastAck) => lastAck switch
    {
        null => null,
        "done" or "failed" => "ack " + lastAck,
        "not published" => "ack not published",
        _ => lastAck,
    };

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
