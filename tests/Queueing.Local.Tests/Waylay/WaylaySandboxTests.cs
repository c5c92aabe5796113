using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Queueing.Local.Waylay;
using Queueing.Local.Waylay.Rules;
using Queueing.Testing;

namespace Queueing.Local.Tests.Waylay;

/// <summary>
/// The whole sandbox with the repository's waylay/templates and waylay/webscripts (the real send-command.js under
/// Node.js), posting to a command API stand-in that verifies the signatures itself.
/// </summary>
public sealed class WaylaySandboxTests
{
    private const string Secret = "queueing-local-signing-secret-not-for-production";
    private static readonly string Templates = RepositoryRoot.File("waylay", "templates");
    private static readonly string Webscripts = RepositoryRoot.File("waylay", "webscripts");

    private static WaylaySandboxOptions Options(Uri commandsUrl, string secret = Secret, string? templates = null, string? webscripts = null) => new()
    {
        ApiKey = "local-key",
        ApiSecret = "local-secret",
        TemplatesDirectory = templates ?? Templates,
        WebscriptsDirectory = webscripts ?? Webscripts,
        CommandApiUrl = commandsUrl,
        CommandSigningSecret = secret,
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
        await using var api = await CommandApiStandIn.StartAsync(Secret);
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
            Assert.All(commands, c => Assert.StartsWith("waylay-", c.IdempotencyKey, StringComparison.Ordinal));
        }

        Assert.Equal(12, api.Accepted.Select(c => c.IdempotencyKey).Distinct().Count());
        var snapshot = sandbox.Snapshot();
        Assert.Equal((18L, 18L, 18L), (snapshot.Broker.EventsReceived, snapshot.Broker.EventsForwarded, snapshot.Rules.EventsEvaluated));
        Assert.Equal((3L, 12L, 12L), (snapshot.Rules.TasksCreated, snapshot.Rules.RulesFired, snapshot.Rules.CommandsSent));
        Assert.Equal(new Dictionary<string, long> { ["202"] = 12 }, snapshot.Rules.AnswersByStatus);
        Assert.Equal(new ResourceRuleState("lamp-2", "Above", "lightOff", "202", 1764288005000), snapshot.Rules.Resources["lamp-2"]);
        Assert.Contains("\"lightValue\":360", snapshot.Broker.LastEvents["lamp-3"].EventJson);
    }

    [Fact]
    public async Task Sandbox_WrongSigningSecret_TheApiRefusesAndTheWebscriptsAnswerIsCounted()
    {
        await using var api = await CommandApiStandIn.StartAsync(Secret);
        await using var sandbox = await WaylaySandbox.StartAsync(Options(api.CommandsUrl, secret: "not-the-secret"));
        using var client = BrokerClient(sandbox);

        await PostRoundsAsync(client, ["lamp-1"], [100, 400]);
        await sandbox.WhenIdleAsync().WaitAsync(TimeSpan.FromSeconds(60));

        Assert.Empty(api.Accepted);
        Assert.Equal(2, api.Refused.Count);
        Assert.All(api.Refused, r => Assert.Contains("signature", r));
        var snapshot = sandbox.Snapshot().Rules;
        Assert.Equal(new Dictionary<string, long> { ["401"] = 2 }, snapshot.AnswersByStatus);
        Assert.Equal(0, snapshot.CommandsAccepted);
    }

    [Fact]
    public async Task Sandbox_CommandApiUnreachable_TheWebscripts502IsCounted()
    {
        var closedPort = MotoServer.FreeTcpPort();
        await using var sandbox = await WaylaySandbox.StartAsync(Options(new Uri($"http://127.0.0.1:{closedPort}/commands")));
        using var client = BrokerClient(sandbox);

        await PostRoundsAsync(client, ["lamp-1"], [100]);
        await sandbox.WhenIdleAsync().WaitAsync(TimeSpan.FromSeconds(60));

        Assert.Equal(new Dictionary<string, long> { ["502"] = 1 }, sandbox.Snapshot().Rules.AnswersByStatus);
    }

    [Fact]
    public async Task Sandbox_SeveralEventsOfOneResourceInOneRequest_AreStoredAndFireNothing()
    {
        await using var api = await CommandApiStandIn.StartAsync(Secret);
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
    public void RepositoryTemplates_AllLoadWithTheRepositoryWebscripts()
    {
        var templates = TemplateLoader.LoadDirectory(Templates, TemplateContext.For(
            Queueing.Local.Waylay.Webscripts.WebscriptHost.Discover(Webscripts), name => $"http://127.0.0.1/{name}"));

        var light = Assert.Single(templates, t => t.Name == "light-threshold");
        Assert.Equal(("lightValue", 350.0), (light.Sensors[0].Parameter, light.Sensors[0].Threshold));
        Assert.All(light.Actuators, a => Assert.Equal("send-command", a.Webscript));
    }

    [Fact]
    public async Task StartAsync_TemplateItCannotRun_IsRefusedWithItsReasons()
    {
        using var templates = new TempDirectory();
        var json = TestTemplates.LightThreshold();
        json["sensors"]![0]!["name"] = "currentWeather";
        File.WriteAllText(templates.File("weather.json"), json.ToJsonString());

        var refused = await Assert.ThrowsAsync<TemplateException>(() =>
            WaylaySandbox.StartAsync(Options(new Uri("http://127.0.0.1:9/commands"), templates: templates.Path)));

        Assert.Contains("weather.json: sensor 'lightLevel': plugin 'currentWeather' cannot run", refused.Message);
    }

    [Fact]
    public async Task StartAsync_InvalidOptions_ListsEveryProblem()
    {
        var options = Options(new Uri("http://127.0.0.1:9/commands")) with
        {
            ApiKey = "",
            CommandSigningSecret = "",
            Faults = new Queueing.Local.Waylay.Faults.WaylayFaultOptions { FailRate = 2 },
        };

        var refused = await Assert.ThrowsAsync<ArgumentException>(() => WaylaySandbox.StartAsync(options));

        Assert.Contains("API key", refused.Message);
        Assert.Contains("signing secret", refused.Message);
        Assert.Contains("fail rate", refused.Message);
    }
}
