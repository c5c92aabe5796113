using System.Text.Json;
using Queueing.Emulators.IoT.Data;
using Queueing.Emulators.IoT.Rules;
using Queueing.Emulators.Waylay;
using Queueing.Emulators.Waylay.Alarms;
using Queueing.Emulators.Waylay.Broker;
using Queueing.Emulators.Waylay.Rules;
using Queueing.Local.Devices;
using Queueing.Local.Up;
using Spectre.Console;

namespace Queueing.Local.Tests.Up;

/// <summary>The summary, the plain status line, the live view and <c>--json</c> of one hand-made snapshot: the acks'
/// books and the command statuses Waylay saw beside the existing lines.</summary>
public sealed class StackViewTests
{
    [Fact]
    public void Summary_AddsTheAcksAndWaylaysCommandStatuses_BeforeTheLastThreeLinesWhichStayAsTheyWere()
    {
        var lines = StackView.Summary(Snapshot());

        Assert.Equal("acks: sent 10, acknowledged 6, failed 2, silent 2", lines[^5]);
        Assert.Equal("command status in Waylay: published 9, acknowledged 6, failed 2, expired 0, rejected 1, undelivered 0, ackDue 0, surprise 1", lines[^4]);
        Assert.StartsWith("loop latency: ", lines[^3], StringComparison.Ordinal);
        Assert.Equal("telemetry: sent 20, delivered 20, dead-lettered 0, lost 0", lines[^2]);
        Assert.Equal("commands: sent 10, delivered 10, dead-lettered 0, lost 0", lines[^1]);
    }

    [Fact]
    public void StatusLine_GainsOneFieldWithTheAcks()
    {
        var line = StackView.StatusLine(Snapshot());

        Assert.Equal(
            "[00:42] published 20, queued 20, to Waylay 39, rules fired 10, commands accepted 10, received 10, acked 6 done/2 failed/2 silent; " +
            "DLQs 0; function errors 0; loop latency: no command answered a threshold crossing yet",
            line);
    }

    [Fact]
    public void Render_ShowsEachDevicesLastCommandStatus()
    {
        using var output = new StringWriter();
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(output),
            Ansi = AnsiSupport.No,
            ColorSystem = ColorSystemSupport.NoColors,
            Interactive = InteractionSupport.No,
        });
        console.Profile.Width = 220;

        console.Write(StackView.Render(Snapshot(), "header"));

        var rows = output.ToString().Split('\n');
        Assert.Contains(rows, r => r.Contains("Command status", StringComparison.Ordinal));
        Assert.Contains(rows, r => r.Contains("device-001", StringComparison.Ordinal) && r.Contains("acknowledged", StringComparison.Ordinal));
        Assert.Contains(rows, r => r.Contains("device-002", StringComparison.Ordinal) && r.Contains("ack failed", StringComparison.Ordinal));
        Assert.Contains(rows, r => r.Contains("device-003", StringComparison.Ordinal) && r.TrimEnd().EndsWith("│", StringComparison.Ordinal) && r.Contains(" - ", StringComparison.Ordinal));
        Assert.Contains(rows, r => r.Contains("acks: sent 10, acknowledged 6, failed 2, silent 2", StringComparison.Ordinal));
    }

    [Fact]
    public void Json_CarriesTheAcksAndEveryCommandStatus()
    {
        using var json = JsonDocument.Parse(RunFigures.Json(Snapshot(), RunOutcome.Completed));

        Assert.Equal(
            """{"sent":10,"acknowledged":6,"failed":2,"silent":2,"notPublished":0}""",
            json.RootElement.GetProperty("acks").GetRawText());
        var statuses = json.RootElement.GetProperty("waylayCommandStatus");
        Assert.Equal(
            new HashSet<string> { "published", "acknowledged", "failed", "expired", "rejected", "undelivered", "ackDue", "surprise" },
            statuses.EnumerateObject().Select(p => p.Name).ToHashSet());
        Assert.Equal(9, statuses.GetProperty("published").GetInt64());
        Assert.Equal(0, statuses.GetProperty("expired").GetInt64());
        Assert.Equal(1, statuses.GetProperty("surprise").GetInt64());
    }

    private static StackSnapshot Snapshot()
    {
        var statuses = new Dictionary<string, long> { ["published"] = 9, ["acknowledged"] = 6, ["failed"] = 2, ["rejected"] = 1, ["surprise"] = 1 };
        var broker = new BrokerSnapshot { Requests = 40, EventsReceived = 39, EventsStored = 39, EventsForwarded = 39, DistinctEvents = 39, UntalliedEvents = 20 };
        var rules = new RuleEngineSnapshot { EventsEvaluated = 39, TasksCreated = 3, SensorExecutions = 39, SensorFailures = 19, RulesFired = 10, PlugRuns = 10 };
        return new StackSnapshot(
            TimeSpan.FromSeconds(42),
            [
                new DeviceView("device-001", true, 400, """{"lightStatus":"off"}""", 4, "acknowledged"),
                new DeviceView("device-002", true, 300, """{"lightStatus":"on"}""", 3, "ack failed"),
                new DeviceView("device-003", false, null, null, 0, null),
            ],
            new FleetCounters(20, 0, 10, 2),
            new TopicRuleCounters { MessagesMatched = 20, ActionsSucceeded = 20 },
            new IotDataCounters { Published = 10 },
            new WaylaySandboxSnapshot(broker, rules, new AlarmsSnapshot(0, 0, new Dictionary<string, long>(), 0)),
            [],
            [],
            [],
            [],
            10,
            new OutsideCounts(0, 0),
            new FlowAccount("telemetry", 20, 20, 0, 0),
            new FlowAccount("commands", 10, 10, 0, 0),
            LoopLatency.None,
            new IngestBatching(5, 20),
            new AckCounters(10, 6, 2, 2, 0, 0),
            new WaylayCommandStatuses(statuses));
    }
}
