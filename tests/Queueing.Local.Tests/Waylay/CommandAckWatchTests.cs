using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Queueing.Emulators.Waylay;
using Queueing.Emulators.Waylay.Rules;
using Queueing.Local.Tests.Support;
using Queueing.Testing;

namespace Queueing.Local.Tests.Waylay;

/// <summary>
/// waylay/templates/command-ack-watch.json and light-threshold.json together in the sandbox, with the repository's
/// plugs under Node.js: the command status events of issue 15 (as Ingest posts them: one event per outcome, carrying
/// <c>commandId</c>, <c>commandStatus</c>, <c>commandPending</c>) posted to the broker API and forwarded to the rule
/// engine, one request per event in the order the sequence gives.
/// </summary>
public sealed class CommandAckWatchTests
{
    private const string Secret = "queueing-local-signing-secret-not-for-production";
    private const string AlarmType = "Queueing command not acknowledged";
    private const long T0 = 1764288000000L;

    private static WaylaySandboxOptions Options(Uri commandsUrl) => new()
    {
        ApiKey = "local-key",
        ApiSecret = "local-secret",
        WaylayDirectory = RepositoryRoot.File("waylay"),
        Vault = QueueingApplication.WaylayVault(commandsUrl, Secret),
    };

    private static HttpClient Client(Uri baseAddress) => new()
    {
        BaseAddress = baseAddress,
        DefaultRequestHeaders = { Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String("local-key:local-secret"u8.ToArray())) },
    };

    /// <summary>A status event as the contract gives it: commandPending 1 for published, 2 for ackDue, 0 otherwise.</summary>
    private static JsonObject Status(string resource, long timestamp, string status, string commandId = "cmd-1")
    {
        var json = new JsonObject
        {
            ["resource"] = resource,
            ["timestamp"] = timestamp,
            ["commandId"] = commandId,
            ["commandStatus"] = status,
            ["commandPending"] = status switch { "published" => 1, "ackDue" => 2, _ => 0 },
        };
        if (status is "acknowledged" or "failed" or "published")
        {
            json["commandLatencyMs"] = 120;
        }

        if (status is "expired" or "rejected" or "failed")
        {
            json["commandDetail"] = "a reason";
        }

        return json;
    }

    private static JsonObject Telemetry(string resource, long timestamp, int lightValue) =>
        new() { ["resource"] = resource, ["timestamp"] = timestamp, ["lightValue"] = lightValue };

    /// <summary>One request per event, each forwarded on its own, in order; then waits until every actuator answered.</summary>
    private static async Task PostAsync(WaylaySandbox sandbox, IEnumerable<JsonObject> events)
    {
        using var client = Client(sandbox.DataUrl);
        foreach (var json in events)
        {
            using var response = await client.PostAsync("data/v1/events", new StringContent(json.ToJsonString(), Encoding.UTF8, "application/json"));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        await sandbox.WhenIdleAsync().WaitAsync(TimeSpan.FromSeconds(60));
    }

    private static async Task<JsonArray> AlarmsAsync(WaylaySandbox sandbox, string resource)
    {
        using var client = Client(sandbox.AlarmsUrl);
        var body = JsonNode.Parse(await client.GetStringAsync($"alarms/v1/alarms?source={resource}&type={Uri.EscapeDataString(AlarmType)}"))!;
        return body["alarms"]!.AsArray();
    }

    /// <summary>Each sequence on its own device; statuses are those of the contract, "telemetry" a light value.</summary>
    public static TheoryData<string, string[], int> Sequences => new()
    {
        { "acknowledged in time", ["published", "acknowledged", "ackDue"], 0 },
        { "no acknowledgement", ["published", "ackDue"], 1 },
        { "failed in time", ["published", "failed", "ackDue"], 0 },
        { "expired in the queue", ["expired"], 0 },
        { "rejected by IoT Core", ["rejected"], 0 },
        { "telemetry only", ["telemetry", "telemetry", "telemetry"], 0 },
        { "telemetry between published and ackDue", ["published", "telemetry", "telemetry", "ackDue"], 1 },
        { "a late acknowledgement after ackDue", ["published", "ackDue", "acknowledged"], 1 },
    };

    [Theory]
    [MemberData(nameof(Sequences))]
    public async Task AckWatch_StatusSequence_RaisesTheAlarmOnlyWhenPublishedIsFollowedByAckDue(string name, string[] sequence, int alarms)
    {
        await using var api = await FakeCommandApi.StartAsync(Secret);
        await using var sandbox = await WaylaySandbox.StartAsync(Options(api.CommandsUrl));

        await PostAsync(sandbox, sequence.Select((s, i) => s == "telemetry" ? Telemetry("lamp-1", T0 + i, 100) : Status("lamp-1", T0 + i, s)));

        var raised = await AlarmsAsync(sandbox, "lamp-1");
        Assert.True(alarms == raised.Count, $"{name}: {raised.ToJsonString()}");
        var snapshot = sandbox.Snapshot();
        Assert.Equal(alarms, snapshot.AlarmsRaised);
        Assert.Equal(alarms == 0 ? 0 : 1, snapshot.AlarmsRaisedByResource.GetValueOrDefault("lamp-1"));
        if (alarms == 1)
        {
            var alarm = raised[0]!;
            Assert.Equal(("MAJOR", "ACTIVE", 1), ((string?)alarm["severity"], (string?)alarm["status"], (int)alarm["count"]!));
            Assert.StartsWith("lamp-1 did not acknowledge its latest command", (string?)alarm["text"], StringComparison.Ordinal);
        }

        // The light rule saw one light value at most (below 350, one "on" command) and nothing of the status events.
        Assert.Equal(sequence.Contains("telemetry") ? 1 : 0, api.Accepted.Count);
        Assert.Empty(api.Refused);
    }

    [Fact]
    public async Task AckWatch_TwoMissedAcksOfOneDevice_CountTwiceOnItsOpenAlarm_OtherDevicesApart()
    {
        await using var api = await FakeCommandApi.StartAsync(Secret);
        await using var sandbox = await WaylaySandbox.StartAsync(Options(api.CommandsUrl));

        await PostAsync(sandbox,
        [
            Status("lamp-1", T0, "published", "cmd-1"), Status("lamp-2", T0, "published", "cmd-9"),
            Status("lamp-1", T0 + 60_000, "ackDue", "cmd-1"), Status("lamp-2", T0 + 100, "acknowledged", "cmd-9"),
            Status("lamp-1", T0 + 70_000, "published", "cmd-2"),
            Status("lamp-1", T0 + 130_000, "ackDue", "cmd-2"), Status("lamp-2", T0 + 60_000, "ackDue", "cmd-9"),
        ]);

        var lamp1 = Assert.Single(await AlarmsAsync(sandbox, "lamp-1"))!;
        Assert.Equal(2, (int)lamp1["count"]!);
        Assert.Empty(await AlarmsAsync(sandbox, "lamp-2"));
        var snapshot = sandbox.Snapshot();
        Assert.Equal((2L, 1L), (snapshot.AlarmsRaised, snapshot.Alarms.Created));
        Assert.Equal(new Dictionary<string, long> { ["lamp-1"] = 2 }, snapshot.AlarmsRaisedByResource);
        Assert.Equal((2L, 2L), (snapshot.Rules.RulesFired, snapshot.Rules.PlugRuns));
        Assert.Equal(new Dictionary<string, long> { ["ok"] = 2 }, snapshot.Rules.AnswersByStatus);
        Assert.Equal(0, snapshot.Rules.CommandsAccepted);
    }

    [Fact]
    public async Task LightThreshold_StatusEvents_FireNoCommand_AndInterleavedWithTelemetryLeaveItsCrossingsUnchanged()
    {
        int[] values = [100, 400, 500, 200, 350, 360, 340];
        string[] statuses = ["published", "acknowledged", "failed", "expired", "rejected", "ackDue"];

        IEnumerable<JsonObject> TelemetryOnly(string resource) => values.Select((v, i) => Telemetry(resource, T0 + (i * 1000), v));

        // Every status after every light value: the light rule's sensor fails on each (no lightValue) and keeps its state.
        IEnumerable<JsonObject> Interleaved(string resource) => values.SelectMany((v, i) =>
            new[] { Telemetry(resource, T0 + (i * 1000), v) }.Concat(statuses.Select((s, j) => Status(resource, T0 + (i * 1000) + j + 1, s, $"cmd-{i}"))));

        await using var api = await FakeCommandApi.StartAsync(Secret);
        await using var sandbox = await WaylaySandbox.StartAsync(Options(api.CommandsUrl));

        await PostAsync(sandbox, statuses.Select((s, j) => Status("lamp-status", T0 + j, s)));
        await PostAsync(sandbox, TelemetryOnly("lamp-plain"));
        await PostAsync(sandbox, Interleaved("lamp-mixed"));

        Assert.DoesNotContain(api.Accepted, c => c.DeviceId == "lamp-status");
        var light = sandbox.Rules.TaskFor("light-threshold", "lamp-status")!;
        Assert.Null(light.StateOf("lightLevel", DateTimeOffset.UtcNow));

        // Below, Above, Above, Below, Equal, Above, Below: on, off, on, off, on, with or without the status events.
        string[] expected = ["on", "off", "on", "off", "on"];
        Assert.Equal(expected, api.Accepted.Where(c => c.DeviceId == "lamp-plain").Select(c => LightStatus(c.Payload)));
        Assert.Equal(expected, api.Accepted.Where(c => c.DeviceId == "lamp-mixed").Select(c => LightStatus(c.Payload)));
        Assert.Empty(api.Refused);

        var rules = sandbox.Snapshot().Rules;
        // The light rule's sensor failed on every status event (6 + 42), the acknowledgement watch's on every light value (7 + 7).
        Assert.Equal(6 + 42 + 7 + 7, rules.SensorFailures);
        Assert.Equal(6 + 7 + 7 + 42, rules.EventsEvaluated);
        // lamp-mixed: after every light value "published ... ackDue" with its settling in between: no alarm.
        Assert.Equal(0, sandbox.Snapshot().AlarmsRaised);
    }

    private static string? LightStatus(string payload) => (string?)JsonNode.Parse(payload)!["lightStatus"];

    [Fact]
    public void Template_IsValidAgainstTheSchemaAndRunsAsTheContractSays()
    {
        var templates = TemplateLoader.LoadDirectory(RepositoryRoot.File("waylay", "templates"), TemplateContext.ForWaylayDirectory(RepositoryRoot.File("waylay")));

        var watch = Assert.Single(templates, t => t.Name == "command-ack-watch");
        Assert.False(watch.ResetObservations);
        var sensor = Assert.Single(watch.Sensors);
        Assert.Equal(("commandPending", 1.0), (sensor.Parameter, sensor.Threshold));
        var actuator = Assert.Single(watch.Actuators);
        Assert.Equal(("queueingAlarm", "1.0.0"), (actuator.Plugin, actuator.Version));
        Assert.Equal(AlarmType, (string?)actuator.Properties.Single(p => p.Key == "type").Value);
        var trigger = Assert.IsType<StateChangeTrigger>(Assert.Single(watch.Triggers));
        Assert.Equal(("ackState", "ackMissing", "Equal", "Above"), (trigger.SourceLabel, trigger.DestinationLabel, trigger.From, trigger.To));
    }
}
