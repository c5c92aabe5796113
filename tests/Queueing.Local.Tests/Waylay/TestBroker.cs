using System.Collections.Concurrent;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Time.Testing;
using Queueing.Emulators.Waylay.Broker;
using Queueing.Emulators.Waylay.Faults;

namespace Queueing.Local.Tests.Waylay;

/// <summary>A real <see cref="BrokerServer"/> on loopback with a recording rule-engine inbox and an authenticated client.</summary>
internal sealed class TestBroker : IAsyncDisposable
{
    public const string ApiKey = "test-key";
    public const string ApiSecret = "test-secret";

    private TestBroker(BrokerServer server, RecordingInbox inbox, FakeTimeProvider time)
    {
        Server = server;
        Inbox = inbox;
        Time = time;
        Client = CreateClient(ApiKey, ApiSecret);
    }

    public BrokerServer Server { get; }

    public RecordingInbox Inbox { get; }

    public FakeTimeProvider Time { get; }

    public HttpClient Client { get; }

    public static async Task<TestBroker> StartAsync(WaylayFaultOptions? faults = null, int messagesPerResource = 100, IReadOnlyList<string>? talliedFields = null)
    {
        var time = new FakeTimeProvider(DateTimeOffset.Parse("2025-11-28T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
        var inbox = new RecordingInbox();
        var server = await BrokerServer.StartAsync(
            new BrokerOptions
            {
                ApiKey = ApiKey,
                ApiSecret = ApiSecret,
                Faults = faults ?? WaylayFaultOptions.None,
                MessagesPerResource = messagesPerResource,
                TalliedFields = talliedFields ?? [],
                Time = time,
            },
            inbox);
        return new TestBroker(server, inbox, time);
    }

    public HttpClient CreateClient(string? key, string? secret)
    {
        var client = new HttpClient { BaseAddress = Server.BaseAddress };
        if (key is not null)
        {
            client.DefaultRequestHeaders.Authorization =
                new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{key}:{secret}")));
        }

        return client;
    }

    public Task<HttpResponseMessage> PostAsync(string path, string json) =>
        Client.PostAsync(path, new StringContent(json, Encoding.UTF8, "application/json"));

    public async Task<JsonNode> GetJsonAsync(string path)
    {
        using var response = await Client.GetAsync(path);
        Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
        return JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await Server.DisposeAsync();
    }

    internal sealed class RecordingInbox : IRuleEngineInbox
    {
        private readonly ConcurrentQueue<BrokerEvent> _events = new();

        public IReadOnlyList<BrokerEvent> Events => _events.ToArray();

        public void Forward(BrokerEvent message) => _events.Enqueue(message);
    }
}

internal static class ErrorBody
{
    /// <summary>Asserts the answer's status and that its body is the spec's ErrorResponse; returns the error text.</summary>
    public static async Task<string> AssertAsync(HttpResponseMessage response, int status)
    {
        Assert.Equal(status, (int)response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsObject();
        var error = body["error"]?.GetValue<string>();
        Assert.False(string.IsNullOrWhiteSpace(error), "ErrorResponse.error is required");
        return error!;
    }
}
