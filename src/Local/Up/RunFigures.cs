using System.Text.Json;
using System.Text.Json.Nodes;
using Queueing.Local.Devices;

namespace Queueing.Local.Up;

/// <summary>How a run of <c>up</c> ended.</summary>
internal enum RunOutcome
{
    /// <summary>A bounded run drained (or its drain timed out).</summary>
    Completed,

    /// <summary>Ctrl+C, SIGTERM or SIGHUP.</summary>
    Interrupted,

    /// <summary>moto or the Node.js plug host exited mid-run.</summary>
    DependencyLost,
}

/// <summary><c>up --json</c>: the numbers of the summary, for scripts.</summary>
internal static class RunFigures
{
    public static string Json(StackSnapshot s, RunOutcome outcome) => new JsonObject
    {
        ["outcome"] = JsonNamingPolicy.CamelCase.ConvertName(outcome.ToString()),
        ["elapsedSeconds"] = Math.Round(s.Elapsed.TotalSeconds, 1),
        ["telemetry"] = Flow(s.Telemetry),
        ["commands"] = Flow(s.Commands),
        ["loopLatency"] = Latency(s.LoopLatency),
        ["acks"] = new JsonObject
        {
            ["sent"] = s.Acks.Received,
            ["acknowledged"] = s.Acks.Acknowledged,
            ["failed"] = s.Acks.Failed,
            ["silent"] = s.Acks.Silent,
            ["notPublished"] = s.Acks.NotPublished,
        },
        ["waylayCommandStatus"] = new JsonObject(
            s.CommandStatuses.Counts.Keys.Union(QueueingApplication.CommandStatuses)
                .Select(status => KeyValuePair.Create(status, (JsonNode?)s.CommandStatuses[status]))),
        ["ingest"] = new JsonObject
        {
            ["invocations"] = s.Ingest.Invocations,
            ["messages"] = s.Ingest.Messages,
            ["invocationsPer1000Messages"] = Math.Round(s.Ingest.PerThousandMessages, 1),
        },
    }.ToJsonString();

    private static JsonObject Flow(FlowAccount flow) => new()
    {
        ["sent"] = flow.Sent,
        ["delivered"] = flow.Delivered,
        // Unknown (null) when the queues could not be read: the local AWS went away with them.
        ["deadLettered"] = flow.QueuesRead ? flow.DeadLettered : null,
        ["lost"] = flow.QueuesRead ? flow.Lost : null,
    };

    private static JsonObject Latency(LoopLatency latency) => new()
    {
        ["commands"] = latency.Count,
        ["p50Ms"] = latency.Count == 0 ? null : LoopLatency.Ms(latency.P50),
        ["p95Ms"] = latency.Count == 0 ? null : LoopLatency.Ms(latency.P95),
        ["maxMs"] = latency.Count == 0 ? null : LoopLatency.Ms(latency.Max),
    };
}
