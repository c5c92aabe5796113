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
/// The whole sandbox with the repository's waylay/ folder (templates, the real queueingCommand plug under Node.js,
/// schemas), posting to a command API stand-in that verifies the signatures itself.
/// </summary>
public sealed class WaylaySandboxTests
{
    private const string Secret = "queueing-local-signing-secret-not-for-production";
    private static readonly string Waylay = RepositoryRoot.File("waylay");

    private static WaylaySandboxOptions Options(Uri commandsUrl, string secret = Secret, string? waylay = null) => new()
    {
        ApiKey = "local-key",
        ApiSecret = "local-secret",
        WaylayDirectory = waylay ?? Waylay,
        Vault = QueueingApplication.WaylayVault(commandsUrl, secret),
    };

    private static HttpClient BrokerClient(WaylaySandbox sandbox) => new()
    {
        BaseAddress = sandbox.DataUrl,
        DefaultRequestHeaders = { Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String("local-key:local-secret"u8.ToArray())) },
    };

    /// <summary>Posts one round per value: an array with one event per device, as the ingest function sends them.</summary>
    private static async Task PostRoundsAsync(HttpClient client, string[] devices, int[] values)
    {
        for (var i = 0; i < values.Length; i++)
        {
            var round = new JsonArray(devices.Select(d => (JsonNode?)new JsonObject
            {
                ["resource"] = d,
                ["timestamp"] = 1764288000000L + i * 1000,
                ["lightValue"] = values[i],
            }).ToArray());
            using var response = await client.PostAsync("data/v1/events", new StringContent(round.ToJsonString(), Encoding.UTF8, "application/json"));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }
    }

    [Fact]
    public async Task Sandbox_LightValuesAcrossTheThreshold_SendCorrectlySignedCommandsInOrder()
    {
        await using var api = await FakeCommandApi.StartAsync(Secret);
        await using var sandbox = await WaylaySandbox.StartAsync(Options(api.CommandsUrl));
        using var client = BrokerClient(sandbox);
        string[] devices = ["lamp-1", "lamp-2", "lamp-3"];

        // Below, Above, Above, Below, Equal, Above: the state changes into Below or Above four times.
        await PostRoundsAsync(client, devices, [100, 400, 500, 200, 350, 360]);
        await sandbox.WhenIdleAsync().WaitAsync(TimeSpan.FromSeconds(60));

        Assert.Empty(api.Refused);
        foreach (var device in devices)
        {
            var commands = api.Accepted.Where(c => c.DeviceId == device).ToArray();
            Assert.Equal(
                ["""{"lightStatus":"on"}""", """{"lightStatus":"off"}""", """{"lightStatus":"on"}""", """{"lightStatus":"off"}"""],
                commands.Select(c => c.Payload));
            Assert.All(commands, c => Assert.Equal(60, c.TtlSeconds));
            Assert.All(commands, c => Assert.StartsWith("queueingCommand-", c.IdempotencyKey, StringComparison.Ordinal));
        }

        // Each firing is its own command, even when the same payload for the same device is signed within one second.
        Assert.Equal(12, api.Accepted.Select(c => c.IdempotencyKey).Distinct().Count());

        var snapshot = sandbox.Snapshot();
        Assert.Equal((18L, 18L, 18L), (snapshot.Broker.EventsReceived, snapshot.Broker.EventsForwarded, snapshot.Rules.EventsEvaluated));
        // A task per template (light-threshold, command-ack-watch) and device; light values fire the light rule only.
        Assert.Equal((6L, 12L, 12L), (snapshot.Rules.TasksCreated, snapshot.Rules.RulesFired, snapshot.Rules.PlugRuns));
        Assert.Equal((18L, 18L), (snapshot.Rules.SensorExecutions, snapshot.Rules.SensorFailures));
        Assert.Equal(0, snapshot.AlarmsRaised);
        Assert.Equal(new Dictionary<string, long> { ["202"] = 12 }, snapshot.Rules.AnswersByStatus);
        Assert.Equal(new ResourceRuleState("lamp-2", "Above", "lightOff", "202", 1764288005000), snapshot.Rules.Resources["lamp-2"]);
        Assert.Contains("\"lightValue\":360", snapshot.Broker.LastEvents["lamp-3"].EventJson);
    }

    [Fact]
    public async Task Sandbox_WrongSigningSecret_TheApiRefusesAndThePlugFails()
    {
        await using var api = await FakeCommandApi.StartAsync(Secret);
        await using var sandbox = await WaylaySandbox.StartAsync(Options(api.CommandsUrl, secret: "not-the-shared-secret-but-as-long-as-one"));
        using var client = BrokerClient(sandbox);

        await PostRoundsAsync(client, ["lamp-1"], [100, 400]);
        await sandbox.WhenIdleAsync().WaitAsync(TimeSpan.FromSeconds(60));

        Assert.Empty(api.Accepted);
        Assert.Equal(2, api.Refused.Count);
        Assert.All(api.Refused, r => Assert.Contains("signature", r));
        var snapshot = sandbox.Snapshot().Rules;
        Assert.Equal(new Dictionary<string, long> { ["failed"] = 2 }, snapshot.AnswersByStatus);
        Assert.Equal(0, snapshot.CommandsAccepted);
        Assert.Equal("failed", snapshot.Resources["lamp-1"].LastAnswer);
    }

    [Fact]
    public async Task Sandbox_SigningSecretShorterThan32Bytes_ThePlugRefusesToSignAndSendsNothing()
    {
        await using var api = await FakeCommandApi.StartAsync("short-secret");
        await using var sandbox = await WaylaySandbox.StartAsync(Options(api.CommandsUrl, secret: "short-secret"));
        using var client = BrokerClient(sandbox);

        await PostRoundsAsync(client, ["lamp-1"], [100]);
        await sandbox.WhenIdleAsync().WaitAsync(TimeSpan.FromSeconds(60));

        Assert.Empty(api.Accepted);
        Assert.Empty(api.Refused);
        Assert.Equal(new Dictionary<string, long> { ["failed"] = 1 }, sandbox.Snapshot().Rules.AnswersByStatus);
    }

    [Fact]
    public async Task Sandbox_CommandApiUnreachable_ThePlugFailsAfterItsRetries()
    {
        var closedPort = MotoServer.FreeTcpPort();
        await using var sandbox = await WaylaySandbox.StartAsync(Options(new Uri($"http://127.0.0.1:{closedPort}/commands")));
        using var client = BrokerClient(sandbox);

        await PostRoundsAsync(client, ["lamp-1"], [100]);
        await sandbox.WhenIdleAsync().WaitAsync(TimeSpan.FromSeconds(60));

        Assert.Equal(new Dictionary<string, long> { ["failed"] = 1 }, sandbox.Snapshot().Rules.AnswersByStatus);
    }

    [Fact]
    public async Task Sandbox_SeveralEventsOfOneResourceInOneRequest_AreStoredAndFireNothing()
    {
        await using var api = await FakeCommandApi.StartAsync(Secret);
        await using var sandbox = await WaylaySandbox.StartAsync(Options(api.CommandsUrl));
        using var client = BrokerClient(sandbox);

        using var response = await client.PostAsync("data/v1/events", new StringContent(
            """[{"resource":"lamp-1","lightValue":100},{"resource":"lamp-1","lightValue":400}]""", Encoding.UTF8, "application/json"));
        await sandbox.WhenIdleAsync().WaitAsync(TimeSpan.FromSeconds(60));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Empty(api.Accepted);
        var snapshot = sandbox.Snapshot();
        Assert.Equal((2L, 0L, 0L), (snapshot.Broker.EventsStored, snapshot.Broker.EventsForwarded, snapshot.Rules.RulesFired));
    }

    [Fact]
    public void RepositoryTemplates_AllLoadWithTheRepositoryPlugsAndSchemas()
    {
        var templates = TemplateLoader.LoadDirectory(RepositoryRoot.File("waylay", "templates"), TemplateContext.ForWaylayDirectory(Waylay));

        var light = Assert.Single(templates, t => t.Name == "light-threshold");
        Assert.Equal(("lightValue", 350.0), (light.Sensors[0].Parameter, light.Sensors[0].Threshold));
        Assert.All(light.Actuators, a => Assert.Equal(("queueingCommand", "1.0.0"), (a.Plugin, a.Version)));
        Assert.False(light.ResetObservations);
    }

    /// <summary>Starts a sandbox whose waylay/templates has <paramref name="json"/> as <paramref name="file"/>; returns what it refused.</summary>
    private static async Task<WaylayTemplateException> RefusedTemplateAsync(string file, JsonObject json)
    {
        using var waylay = TestPlugs.CopyOfWaylay();
        File.WriteAllText(Path.Combine(waylay.Path, "templates", file), json.ToJsonString());
        return await Assert.ThrowsAsync<WaylayTemplateException>(() =>
            WaylaySandbox.StartAsync(Options(new Uri("http://127.0.0.1:9/commands"), waylay: waylay.Path)));
    }

    [Fact]
    public async Task StartAsync_TemplateItCannotRun_IsRefusedWithItsReasons()
    {
        var json = TestTemplates.LightThreshold();
        json["sensors"]![0]!["name"] = "currentWeather";

        var refused = await RefusedTemplateAsync("weather.json", json);

        Assert.Contains("weather.json: sensor 'lightLevel': plugin 'currentWeather' cannot run", refused.Message);
    }

    [Fact]
    public async Task StartAsync_TemplateTheSchemaRefuses_IsRefusedBeforeAnythingStarts()
    {
        var json = TestTemplates.LightThreshold();
        json["actuators"]![0]!["url"] = "${sendCommandWebscriptUrl}";

        var refused = await RefusedTemplateAsync("light-threshold.json", json);

        Assert.Contains("light-threshold.json: refused by the template schema (TemplateEntity of waylay-rules.schema.json): /actuators/0/url: ", refused.Message);
    }

    [Fact]
    public async Task StartAsync_PlugManifestTheRegistryRefuses_IsRefused()
    {
        using var waylay = TestPlugs.CopyOfWaylay();
        var manifest = Path.Combine(waylay.Path, "plugins", "queueingCommand", "plug.json");
        var json = JsonNode.Parse(File.ReadAllText(manifest))!;
        json["type"] = "webscriptActuator";
        File.WriteAllText(manifest, json.ToJsonString());

        var refused = await Assert.ThrowsAsync<Queueing.Emulators.Waylay.Plugs.PlugCatalogException>(() =>
            WaylaySandbox.StartAsync(Options(new Uri("http://127.0.0.1:9/commands"), waylay: waylay.Path)));

        Assert.Contains("queueingCommand/plug.json: refused by the registry schema IPlugManifest: /type: ", refused.Message);
    }

    [Fact]
    public async Task StartAsync_InvalidOptions_ListsEveryProblem()
    {
        var options = Options(new Uri("http://127.0.0.1:9/commands")) with
        {
            ApiKey = "",
            Vault = new Dictionary<string, string> { ["SIGNING_SECRET"] = "" },
            Faults = new Queueing.Emulators.Waylay.Faults.WaylayFaultOptions { FailRate = 2 },
        };

        var refused = await Assert.ThrowsAsync<ArgumentException>(() => WaylaySandbox.StartAsync(options));

        Assert.Contains("API key", refused.Message);
        Assert.Contains("vault entry 'SIGNING_SECRET'", refused.Message);
        Assert.Contains("fail rate", refused.Message);
    }
}
