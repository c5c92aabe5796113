using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Time.Testing;
using Queueing.Emulators.Waylay.Alarms;
using Queueing.Emulators.Waylay.Plugs;
using Queueing.Testing;

namespace Queueing.Local.Tests.Waylay;

/// <summary>
/// The sandbox's alarm service over loopback HTTP, and the real waylay/plugins/queueingAlarm under Node.js raising
/// alarms on it through the plug host's Waylay client (<c>waylay.alarms.create</c>), as a rule's actuator does.
/// </summary>
public sealed class AlarmsTests : IAsyncLifetime
{
    private const string Key = "alarm-key";
    private const string Secret = "alarm-secret";
    private static readonly PlugCatalog RepositoryPlugs = Rules().Plugs;

    private readonly FakeTimeProvider _time = new(DateTimeOffset.Parse("2026-12-06T10:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
    private AlarmsServer _alarms = null!;
    private HttpClient _client = null!;

    private static Queueing.Emulators.Waylay.Rules.TemplateContext Rules() =>
        Queueing.Emulators.Waylay.Rules.TemplateContext.ForWaylayDirectory(RepositoryRoot.File("waylay"));

    public async Task InitializeAsync()
    {
        _alarms = await AlarmsServer.StartAsync(new AlarmsOptions { ApiKey = Key, ApiSecret = Secret, Time = _time });
        _client = Client(Key, Secret);
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _alarms.DisposeAsync();
    }

    private HttpClient Client(string? key, string? secret)
    {
        var client = new HttpClient { BaseAddress = _alarms.BaseAddress };
        if (key is not null)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{key}:{secret}")));
        }

        return client;
    }

    private async Task<(HttpStatusCode Status, JsonObject Body)> CreateAsync(string json, HttpClient? client = null)
    {
        using var response = await (client ?? _client).PostAsync("alarms/v1/alarms", new StringContent(json, Encoding.UTF8, "application/json"));
        return (response.StatusCode, JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsObject());
    }

    private async Task<(JsonObject Body, string? Count)> QueryAsync(string query)
    {
        using var response = await _client.GetAsync($"alarms/v1/alarms{query}");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsObject(), response.Headers.TryGetValues("X-Count", out var count) ? count.Single() : null);
    }

    private static string Alarm(string source, string type = "Queueing command not acknowledged", string severity = "MAJOR") =>
        new JsonObject { ["type"] = type, ["text"] = $"no ack from {source}", ["severity"] = severity, ["source"] = new JsonObject { ["id"] = source } }.ToJsonString();

    [Fact]
    public async Task Create_NewAlarm_IsActiveWithCountOneAndItsRaisedRecord()
    {
        var request = JsonNode.Parse(Alarm("lamp-1"))!.AsObject();
        request["task"] = "t-1";

        var (status, alarm) = await CreateAsync(request.ToJsonString());

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(("Queueing command not acknowledged", "MAJOR", "ACTIVE", 1, "lamp-1"),
            ((string?)alarm["type"], (string?)alarm["severity"], (string?)alarm["status"], (int)alarm["count"]!, (string?)alarm["source"]!["id"]));
        Assert.Equal("2026-12-06T10:00:00.000Z", (string?)alarm["creationTime"]);
        Assert.Equal($"/alarms/v1/alarms/{alarm["id"]}", (string?)alarm["self"]);
        Assert.Equal(AlarmStore.RaisedRecord, (string?)Assert.Single(alarm["history"]!.AsArray())!["type"]);
        // Members CreateAlarm does not name are kept as additionalProperties.
        Assert.Equal("t-1", (string?)alarm["additionalProperties"]!["task"]);
    }

    [Fact]
    public async Task Create_SameSourceAndTypeWhileOpen_CountsAgainOnTheSameAlarm_OtherTypeOrSourceIsANewOne()
    {
        var (_, first) = await CreateAsync(Alarm("lamp-1"));
        _time.Advance(TimeSpan.FromSeconds(5));
        var (_, again) = await CreateAsync(Alarm("lamp-1"));
        var (_, otherType) = await CreateAsync(Alarm("lamp-1", type: "something else"));
        var (_, otherSource) = await CreateAsync(Alarm("lamp-2"));

        Assert.Equal((string?)first["id"], (string?)again["id"]);
        Assert.Equal(2, (int)again["count"]!);
        Assert.Equal("2026-12-06T10:00:05.000Z", (string?)again["lastTriggeredTime"]);
        Assert.Equal([AlarmStore.RaisedRecord, AlarmStore.OccurredAgainRecord], again["history"]!.AsArray().Select(h => (string?)h!["type"]));
        Assert.Equal(3, new[] { first, otherType, otherSource }.Select(a => (string?)a["id"]).Distinct().Count());

        var snapshot = _alarms.Store.Snapshot();
        Assert.Equal((4L, 3L, 0L), (snapshot.Raised, snapshot.Created, snapshot.Refused));
        Assert.Equal(new Dictionary<string, long> { ["lamp-1"] = 3, ["lamp-2"] = 1 }, snapshot.RaisedByResource);
    }

    [Fact]
    public async Task Query_FiltersBySourceAndType_NewestFirst_WithTotalAndXCount()
    {
        await CreateAsync(Alarm("lamp-1"));
        _time.Advance(TimeSpan.FromSeconds(1));
        await CreateAsync(Alarm("lamp-1", type: "other"));
        await CreateAsync(Alarm("lamp-2"));

        var (lamp1, count) = await QueryAsync("?source=lamp-1");
        var (byType, _) = await QueryAsync("?type=Queueing%20command%20not%20acknowledged&source=lamp-1&source=lamp-2");
        var (paged, _) = await QueryAsync("?size=1&page=2");

        Assert.Equal(("2", 2), (count, (int)lamp1["total"]!));
        Assert.Equal(["other", "Queueing command not acknowledged"], lamp1["alarms"]!.AsArray().Select(a => (string?)a!["type"]));
        Assert.Equal(["lamp-1", "lamp-2"], byType["alarms"]!.AsArray().Select(a => (string?)a!["source"]!["id"]).Order());
        Assert.Equal((3, 1), ((int)paged["total"]!, paged["alarms"]!.AsArray().Count));
    }

    [Theory]
    [InlineData("""{"type":"t","text":"x","source":{"id":"lamp-1"}}""", "/severity <- Could not parse severity, valid values are: CRITICAL, MAJOR, MINOR, WARNING")]
    [InlineData("""{"type":"t","text":"x","severity":"major","source":{"id":"lamp-1"}}""", "/severity <- Could not parse severity")]
    [InlineData("""{"type":"t","text":"x","severity":"MAJOR"}""", "/source <- required")]
    [InlineData("""{"type":"t","text":"x","severity":"MAJOR","source":{"id":""}}""", "/source/id <- required")]
    [InlineData("""{"text":"x","severity":"MAJOR","source":{"id":"lamp-1"}}""", "/type <- required")]
    [InlineData("""{"type":"t","text":"x","severity":"MAJOR","source":{"id":"lamp-1"},"status":"OPEN"}""", "/status <- Could not parse status")]
    [InlineData("""{"type":"t","text":"x","severity":"MAJOR","source":{"id":"lamp-1"},"timestamp":"yesterday"}""", "/timestamp <- ")]
    [InlineData("""not json""", "/ <- Invalid JSON")]
    public async Task Create_NotACreateAlarm_400WithDetailsAndNothingRaised(string body, string detail)
    {
        var (status, answer) = await CreateAsync(body);

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal(400, (int)answer["statusCode"]!);
        Assert.False(string.IsNullOrEmpty((string?)answer["error"]));
        Assert.Contains(answer["details"]!.AsArray(), d => ((string)d!).StartsWith(detail, StringComparison.Ordinal));
        Assert.Equal((0L, 0L, 1L), (_alarms.Store.Snapshot().Raised, _alarms.Store.Snapshot().Created, _alarms.Store.Snapshot().Refused));
    }

    [Fact]
    public async Task Create_WithoutOrWithWrongCredentials_401AndNothingRaised()
    {
        using var anonymous = Client(null, null);
        using var wrong = Client(Key, "not-the-secret");

        var (noAuth, _) = await CreateAsync(Alarm("lamp-1"), anonymous);
        var (badAuth, body) = await CreateAsync(Alarm("lamp-1"), wrong);

        Assert.Equal((HttpStatusCode.Unauthorized, HttpStatusCode.Unauthorized), (noAuth, badAuth));
        Assert.Equal(401, (int)body["statusCode"]!);
        Assert.Equal(0, _alarms.Store.Snapshot().Raised);
    }

    [Fact]
    public async Task GetAndUnemulatedRoutes_OneAlarmById_404sSayWhat()
    {
        var (_, created) = await CreateAsync(Alarm("lamp-1"));

        using var found = await _client.GetAsync($"alarms/v1/alarms/{created["id"]}");
        using var missing = await _client.GetAsync("alarms/v1/alarms/no-such-id");
        using var update = await _client.PutAsync($"alarms/v1/alarms/{created["id"]}", new StringContent("{}"));
        using var unknownFilter = await _client.GetAsync("alarms/v1/alarms?assignee=me");

        Assert.Equal(HttpStatusCode.OK, found.StatusCode);
        Assert.Equal((HttpStatusCode.NotFound, HttpStatusCode.NotFound), (missing.StatusCode, update.StatusCode));
        Assert.Equal("alarm with id 'no-such-id' not found", (string?)JsonNode.Parse(await missing.Content.ReadAsStringAsync())!["error"]);
        Assert.Equal(HttpStatusCode.BadRequest, unknownFilter.StatusCode);
        Assert.Contains("assignee", await unknownFilter.Content.ReadAsStringAsync());
    }

    // The plug, as the command-ack-watch template's actuator calls it.

    private static JsonObject PlugCall(string resource = "lamp-1", string severity = "MAJOR") => new()
    {
        ["resource"] = resource,
        ["type"] = "Queueing command not acknowledged",
        ["severity"] = severity,
        ["text"] = $"No acknowledgement from {resource}",
    };

    private async Task<PlugResult> RunPlugAsync(JsonObject properties, Uri? alarmsUrl, string secret = Secret)
    {
        await using var host = await PlugHost.StartAsync(new PlugHostOptions
        {
            Plugs = RepositoryPlugs,
            AlarmsUrl = alarmsUrl,
            ApiKey = Key,
            ApiSecret = secret,
        });
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        return await host.ExecuteAsync("queueingAlarm", "1.0.0", properties, "lamp-1", timeout.Token);
    }

    [Fact]
    public async Task Plug_RaisesTheAlarmThroughTheWaylayClient_AndAgainCountsOnIt()
    {
        var first = await RunPlugAsync(PlugCall(), _alarms.BaseAddress);
        var second = await RunPlugAsync(PlugCall(), _alarms.BaseAddress);

        Assert.True(first.Result, first.Error);
        Assert.True(second.Result, second.Error);
        Assert.Equal(((string?)first.RawData!["alarmId"], "ACTIVE", 2), ((string?)second.RawData!["alarmId"], (string?)second.RawData["alarmStatus"], (int)second.RawData["count"]!));
        var (alarms, _) = await QueryAsync("?source=lamp-1");
        var alarm = Assert.Single(alarms["alarms"]!.AsArray())!;
        Assert.Equal(("Queueing command not acknowledged", "MAJOR", "No acknowledgement from lamp-1"), ((string?)alarm["type"], (string?)alarm["severity"], (string?)alarm["text"]));
        Assert.Empty(alarm["additionalProperties"]!.AsObject());
    }

    [Theory]
    [InlineData("severity", "major", "severity must be one of CRITICAL, MAJOR, MINOR, WARNING")]
    [InlineData("resource", "", "resource is required")]
    [InlineData("text", " ", "text is required")]
    [InlineData("deviceId", "lamp-1", "unknown property deviceId")]
    public async Task Plug_PropertiesItCannotUse_FailsBeforeCallingTheService(string name, string value, string error)
    {
        var call = PlugCall();
        call[name] = value;

        var result = await RunPlugAsync(call, _alarms.BaseAddress);

        Assert.False(result.Result);
        Assert.Contains(error, result.Error);
        Assert.Equal(0, _alarms.Store.Snapshot().Raised);
    }

    [Fact]
    public async Task Plug_ServiceRefusesTheCredentials_FailsWithTheServicesAnswer()
    {
        var result = await RunPlugAsync(PlugCall(), _alarms.BaseAddress, secret: "not-the-secret");

        Assert.False(result.Result);
        Assert.Contains("the alarm service answered 401: Invalid API key or secret.; no alarm was raised", result.Error);
        Assert.Equal(0, _alarms.Store.Snapshot().Raised);
    }

    [Fact]
    public async Task Plug_ServiceUnreachableOrAbsent_FailsSayingNoAlarmWasRaised()
    {
        var closed = await RunPlugAsync(PlugCall(), new Uri($"http://127.0.0.1:{MotoServer.FreeTcpPort()}/"));
        var none = await RunPlugAsync(PlugCall(), alarmsUrl: null);

        Assert.False(closed.Result);
        Assert.Contains("the alarm service could not be reached", closed.Error);
        Assert.False(none.Result);
        Assert.Contains("runs no alarm service", none.Error);
    }
}
