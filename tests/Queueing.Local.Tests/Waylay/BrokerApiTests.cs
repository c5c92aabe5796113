using System.Net;
using System.Text.Json.Nodes;

namespace Queueing.Local.Tests.Waylay;

/// <summary>The sandbox's broker against waylay-data.openapi.yaml: auth, events, forwarding, messages, errors.</summary>
public sealed class BrokerApiTests : IAsyncLifetime
{
    private TestBroker _broker = null!;

    public async Task InitializeAsync() => _broker = await TestBroker.StartAsync();

    public async Task DisposeAsync() => await _broker.DisposeAsync();

    private const string Lamp1 = """{"resource":"lamp-1","timestamp":1764288000000,"lightValue":412}""";

    [Fact]
    public async Task PostEvents_NoCredentials_Answers401WithErrorAndStoresNothing()
    {
        using var anonymous = _broker.CreateClient(null, null);
        using var response = await anonymous.PostAsync("data/v1/events", new StringContent(Lamp1));

        await ErrorBody.AssertAsync(response, 401);
        Assert.Contains("Basic", response.Headers.WwwAuthenticate.ToString());
        Assert.Empty(_broker.Server.Messages.Messages("lamp-1"));
        Assert.Equal(1, _broker.Server.Counters.Snapshot().Unauthorized);
    }

    [Theory]
    [InlineData(TestBroker.ApiKey, "wrong-secret")]
    [InlineData("wrong-key", TestBroker.ApiSecret)]
    [InlineData("", "")]
    public async Task PostEvents_WrongCredentials_Answers401(string key, string secret)
    {
        using var client = _broker.CreateClient(key, secret);
        using var response = await client.PostAsync("data/v1/events", new StringContent(Lamp1));

        Assert.Contains("Invalid API key or secret", await ErrorBody.AssertAsync(response, 401));
        Assert.Empty(_broker.Inbox.Events);
    }

    [Fact]
    public async Task GetMessages_BearerToken_Answers401()
    {
        using var client = _broker.CreateClient(null, null);
        client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", "jwt");
        using var response = await client.GetAsync("data/v1/messages/lamp-1");

        await ErrorBody.AssertAsync(response, 401);
    }

    [Fact]
    public async Task PostEvents_SingleEvent_StoresForwardsAndEchoesTheTimestampedEvent()
    {
        using var response = await _broker.PostAsync("data/v1/events", Lamp1);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.Equal("1 event stored and forwarded to the rule engine", body["message"]!.GetValue<string>());
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(Lamp1), body["content"]));
        var forwarded = Assert.Single(_broker.Inbox.Events);
        Assert.Equal(("lamp-1", 1764288000000L, 412), (forwarded.Resource, forwarded.Timestamp, forwarded.Json.GetProperty("lightValue").GetInt32()));
        Assert.Single(_broker.Server.Messages.Messages("lamp-1"));
    }

    [Fact]
    public async Task PostEvents_EventWithoutTimestamp_GetsTheBrokersProcessingTime()
    {
        using var response = await _broker.PostAsync("data/v1/events", """{"resource":"lamp-1","lightValue":12}""");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var current = await _broker.GetJsonAsync("data/v1/messages/lamp-1/current");
        Assert.Equal(_broker.Time.GetUtcNow().ToUnixTimeMilliseconds(), current["timestamp"]!.GetValue<long>());
    }

    [Fact]
    public async Task PostEvents_IsoTimestamp_IsStoredAsEpochMilliseconds()
    {
        using var response = await _broker.PostAsync("data/v1/events", """{"resource":"lamp-1","timestamp":"2025-11-28T00:00:00.500+01:00","lightValue":1}""");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(1764284400500L, Assert.Single(_broker.Inbox.Events).Timestamp);
    }

    [Fact]
    public async Task PostEvents_ArrayOfDistinctResources_ForwardsEveryEvent()
    {
        using var response = await _broker.PostAsync("data/v1/events",
            """[{"resource":"lamp-1","timestamp":1,"lightValue":1},{"resource":"lamp-2","timestamp":2,"lightValue":2}]""");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.Equal(2, body["content"]!.AsArray().Count);
        Assert.Equal(["lamp-1", "lamp-2"], _broker.Inbox.Events.Select(e => e.Resource));
        Assert.Equal(2, _broker.Server.Counters.Snapshot().EventsForwarded);
    }

    [Fact]
    public async Task PostEvents_ArrayWithTwoEventsForOneResource_StoresThemWithoutForwarding()
    {
        using var response = await _broker.PostAsync("data/v1/events",
            """[{"resource":"lamp-1","timestamp":1,"lightValue":1},{"resource":"lamp-1","timestamp":2,"lightValue":2}]""");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("not forwarded", JsonNode.Parse(await response.Content.ReadAsStringAsync())!["message"]!.GetValue<string>());
        Assert.Empty(_broker.Inbox.Events);
        Assert.Equal(2, _broker.Server.Messages.Messages("lamp-1").Count);
        var counters = _broker.Server.Counters.Snapshot();
        Assert.Equal((2L, 0L), (counters.EventsStored, counters.EventsForwarded));
    }

    [Fact]
    public async Task PostEvents_DuplicateResourcesWithForwardTrue_Answers400AndStoresNothing()
    {
        using var response = await _broker.PostAsync("data/v1/events?forward=true",
            """[{"resource":"lamp-1","lightValue":1},{"resource":"lamp-2","lightValue":5},{"resource":"lamp-1","lightValue":2}]""");

        Assert.Contains("lamp-1", await ErrorBody.AssertAsync(response, 400));
        Assert.Empty(_broker.Inbox.Events);
        Assert.Empty(_broker.Server.Messages.Messages("lamp-1"));
        Assert.Empty(_broker.Server.Messages.Messages("lamp-2"));
    }

    [Fact]
    public async Task PostEvents_ForwardFalse_StoresWithoutForwarding()
    {
        using var response = await _broker.PostAsync("data/v1/events?forward=false", Lamp1);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Empty(_broker.Inbox.Events);
        Assert.Single(_broker.Server.Messages.Messages("lamp-1"));
    }

    [Fact]
    public async Task PostEvents_StoreFalse_ForwardsWithoutStoring()
    {
        using var response = await _broker.PostAsync("data/v1/events?store=false", Lamp1);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Single(_broker.Inbox.Events);
        Assert.Empty(_broker.Server.Messages.Messages("lamp-1"));
        using var current = await _broker.Client.GetAsync("data/v1/messages/lamp-1/current");
        await ErrorBody.AssertAsync(current, 404);
    }

    [Theory]
    [InlineData("""{"lightValue":1}""", "no resource")]
    [InlineData("""[{"resource":"lamp-1","lightValue":1},{"lightValue":2}]""", "Event [1] has no resource")]
    [InlineData("""{"resource":"","lightValue":1}""", "invalid resource")]
    [InlineData("""{"resource":42,"lightValue":1}""", "invalid resource")]
    [InlineData("""{"resource":null,"lightValue":1}""", "no resource")]
    [InlineData("""[{"resource":"lamp-1"},7]""", "Event [1] is not a JSON object")]
    [InlineData("""[]""", "no events")]
    [InlineData("""42""", "JSON object")]
    public async Task PostEvents_EventsWithoutValidResource_Answer400AndNothingIsStoredOrForwarded(string body, string expected)
    {
        using var response = await _broker.PostAsync("data/v1/events", body);

        Assert.Contains(expected, await ErrorBody.AssertAsync(response, 400));
        Assert.Empty(_broker.Inbox.Events);
        Assert.Empty(_broker.Server.Messages.Messages("lamp-1"));
        Assert.Equal(0, _broker.Server.Counters.Snapshot().EventsReceived);
    }

    [Theory]
    [InlineData("1.5")]
    [InlineData("\"yesterday\"")]
    [InlineData("\"1764288000000\"")]
    [InlineData("\"2025-11-28\"")]
    [InlineData("true")]
    [InlineData("null")]
    [InlineData("{}")]
    [InlineData("1e300")]
    public async Task PostEvents_InvalidTimestamp_Answers400(string timestamp)
    {
        using var response = await _broker.PostAsync("data/v1/events", $$"""{"resource":"lamp-1","timestamp":{{timestamp}},"lightValue":1}""");

        Assert.Contains("invalid timestamp", await ErrorBody.AssertAsync(response, 400));
        Assert.Empty(_broker.Inbox.Events);
    }

    [Theory]
    [InlineData("""{"resource":"lamp-1",""")]
    [InlineData("""{"resource":"lamp-1","resource":"lamp-2"}""")]
    [InlineData("not json")]
    [InlineData("")]
    public async Task PostEvents_UnparsableJson_Answers400(string body)
    {
        using var response = await _broker.PostAsync("data/v1/events", body);

        Assert.Contains("Json parse error", await ErrorBody.AssertAsync(response, 400));
    }

    [Theory]
    [InlineData("forward=yes")]
    [InlineData("store=1")]
    [InlineData("ttl=tomorrow")]
    [InlineData("ttl=-5")]
    [InlineData("forward=true&forward=false")]
    public async Task PostEvents_InvalidQueryParameter_Answers400(string query)
    {
        using var response = await _broker.PostAsync("data/v1/events?" + query, Lamp1);

        await ErrorBody.AssertAsync(response, 400);
        Assert.Empty(_broker.Inbox.Events);
    }

    [Fact]
    public async Task PostEvents_WithTtl_MessageExpiresFromTheCache()
    {
        using var response = await _broker.PostAsync("data/v1/events?ttl=1h", Lamp1);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Single((await _broker.GetJsonAsync("data/v1/messages/lamp-1")).AsArray());

        _broker.Time.Advance(TimeSpan.FromHours(1));

        Assert.Empty((await _broker.GetJsonAsync("data/v1/messages/lamp-1")).AsArray());
    }

    [Fact]
    public async Task PostResourceEvents_SingleEvent_ForwardsUnderThePathResource()
    {
        using var response = await _broker.PostAsync("data/v1/events/lamp-7", """{"resource":"elsewhere","timestamp":5,"lightValue":300}""");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var forwarded = Assert.Single(_broker.Inbox.Events);
        Assert.Equal("lamp-7", forwarded.Resource);
        Assert.Equal("lamp-7", forwarded.Json.GetProperty("resource").GetString());
        Assert.Empty(_broker.Server.Messages.Messages("elsewhere"));
    }

    [Fact]
    public async Task PostResourceEvents_SeveralEvents_AreStoredNotForwardedEvenWithForwardTrue()
    {
        using var response = await _broker.PostAsync("data/v1/events/lamp-7?forward=true", """[{"timestamp":1,"lightValue":1},{"timestamp":2,"lightValue":2}]""");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Empty(_broker.Inbox.Events);
        Assert.Equal(2, _broker.Server.Messages.Messages("lamp-7").Count);
    }

    [Fact]
    public async Task GetMessages_MoreThanTheCapacity_KeepsTheLatestInTimestampOrder()
    {
        for (var t = 1; t <= 105; t++)
        {
            // Posted out of order: the cache orders by event timestamp.
            var timestamp = t % 2 == 0 ? t : 200 - t;
            using var response = await _broker.PostAsync("data/v1/events", $$"""{"resource":"lamp-1","timestamp":{{timestamp}},"lightValue":{{t}}}""");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        var messages = (await _broker.GetJsonAsync("data/v1/messages/lamp-1")).AsArray();
        var timestamps = messages.Select(m => m!["timestamp"]!.GetValue<long>()).ToArray();

        Assert.Equal(100, timestamps.Length);
        Assert.Equal(timestamps.Order(), timestamps);
        var all = Enumerable.Range(1, 105).Select(t => (long)(t % 2 == 0 ? t : 200 - t)).Order().ToArray();
        Assert.Equal(all[^100..], timestamps);
        Assert.Equal(all[^1], (await _broker.GetJsonAsync("data/v1/messages/lamp-1/current"))["timestamp"]!.GetValue<long>());
    }

    [Fact]
    public async Task GetMessages_UnknownResource_AnswersEmptyArray()
    {
        Assert.Empty((await _broker.GetJsonAsync("data/v1/messages/nobody")).AsArray());
    }

    [Fact]
    public async Task GetCurrent_NoMessageYet_Answers404WithError()
    {
        using var response = await _broker.Client.GetAsync("data/v1/messages/nobody/current");

        Assert.Contains("nobody", await ErrorBody.AssertAsync(response, 404));
    }

    [Fact]
    public async Task DeleteMessages_RemovesTheResourcesMessages()
    {
        (await _broker.PostAsync("data/v1/events", Lamp1)).Dispose();

        using var response = await _broker.Client.DeleteAsync("data/v1/messages/lamp-1");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("Removed 1", JsonNode.Parse(await response.Content.ReadAsStringAsync())!["message"]!.GetValue<string>());
        Assert.Empty((await _broker.GetJsonAsync("data/v1/messages/lamp-1")).AsArray());
    }

    [Fact]
    public async Task GetAbout_AnswersNameAndVersion()
    {
        var about = await _broker.GetJsonAsync("data/v1/");

        Assert.Equal("waylay-broker", about["name"]!.GetValue<string>());
        Assert.False(string.IsNullOrEmpty(about["version"]!.GetValue<string>()));
    }

    [Theory]
    [InlineData("GET", "data/v1/events", 405)]
    [InlineData("PUT", "data/v1/messages/lamp-1", 405)]
    [InlineData("GET", "data/v1/series/lamp-1", 404)]
    [InlineData("GET", "elsewhere", 404)]
    public async Task OtherRoutesAndMethods_AnswerWithAnErrorBody(string method, string path, int status)
    {
        using var request = new HttpRequestMessage(new HttpMethod(method), path);
        using var response = await _broker.Client.SendAsync(request);

        await ErrorBody.AssertAsync(response, status);
    }

    [Fact]
    public async Task Counters_AfterMixedRequests_CountWhatHappened()
    {
        (await _broker.PostAsync("data/v1/events", Lamp1)).Dispose();
        (await _broker.PostAsync("data/v1/events", """{"lightValue":1}""")).Dispose();
        (await _broker.PostAsync("data/v1/events", """{"resource":"lamp-2","timestamp":1764288000001,"lightValue":90}""")).Dispose();

        var counters = _broker.Server.Counters.Snapshot();

        Assert.Equal((3L, 1L, 2L, 2L, 2L), (counters.Requests, counters.Refused, counters.EventsReceived, counters.EventsStored, counters.EventsForwarded));
        Assert.Contains("\"lightValue\":90", counters.LastEvents["lamp-2"].EventJson);
        Assert.Equal(1764288000000L, counters.LastEvents["lamp-1"].Timestamp);
    }

    [Fact]
    public async Task Tallies_CountDistinctEventsByTheFieldsValue_AndKeepTheLatestTimestampOfEachValuePerResource()
    {
        await using var broker = await TestBroker.StartAsync(talliedFields: ["status"]);
        (await broker.PostAsync("data/v1/events", """[{"resource":"lamp-1","timestamp":2,"status":"published"},{"resource":"lamp-2","timestamp":2,"status":"published"}]""")).Dispose();
        (await broker.PostAsync("data/v1/events", """{"resource":"lamp-1","timestamp":5,"status":"acknowledged"}""")).Dispose();
        // A retry of an event already taken counts once; an older event does not replace a value's latest timestamp.
        (await broker.PostAsync("data/v1/events", """{"resource":"lamp-1","timestamp":5,"status":"acknowledged"}""")).Dispose();
        (await broker.PostAsync("data/v1/events", """{"resource":"lamp-1","timestamp":3,"status":"ackDue"}""")).Dispose();
        (await broker.PostAsync("data/v1/events", """{"resource":"lamp-1","timestamp":1,"status":"ackDue"}""")).Dispose();
        (await broker.PostAsync("data/v1/events", """{"resource":"lamp-2","timestamp":7,"status":3}""")).Dispose();
        // Another status, and an event without one, in the same millisecond as a status: each counts.
        (await broker.PostAsync("data/v1/events", """{"resource":"lamp-2","timestamp":7,"status":"failed"}""")).Dispose();
        (await broker.PostAsync("data/v1/events", """{"resource":"lamp-2","timestamp":2,"lightValue":5}""")).Dispose();
        (await broker.PostAsync("data/v1/events", """[{"resource":"lamp-1","timestamp":9,"lightValue":1},{"resource":"lamp-2","timestamp":9,"lightValue":2}]""")).Dispose();

        var counters = broker.Server.Counters.Snapshot();

        Assert.Equal(
            new Dictionary<string, long> { ["published"] = 2, ["acknowledged"] = 1, ["ackDue"] = 2, ["3"] = 1, ["failed"] = 1 },
            counters.Tallies["status"]);
        var times = counters.TalliedTimestamps["status"];
        Assert.Equal(new Dictionary<string, long> { ["published"] = 2, ["acknowledged"] = 5, ["ackDue"] = 3 }, times["lamp-1"]);
        Assert.Equal(new Dictionary<string, long> { ["published"] = 2, ["3"] = 7, ["failed"] = 7 }, times["lamp-2"]);
        // Distinct events stay keyed by resource and timestamp, as Waylay keys them.
        Assert.Equal((8L, 3L), (counters.DistinctEvents, counters.UntalliedEvents));
    }

    [Fact]
    public async Task Tallies_WithoutTalliedFields_AreEmptyAndEveryEventIsUntallied()
    {
        (await _broker.PostAsync("data/v1/events", """{"resource":"lamp-1","timestamp":1,"status":"published"}""")).Dispose();

        var counters = _broker.Server.Counters.Snapshot();

        Assert.Empty(counters.Tallies);
        Assert.Equal(1L, counters.UntalliedEvents);
    }
}
