using System.Net;
using System.Text;
using System.Text.Json;
using System.Threading.Channels;

namespace Queueing.Ingest.Tests.Support;

/// <summary>
/// The Waylay broker as an in-process <see cref="HttpMessageHandler"/> for unit tests: records every attempt
/// (with the fake time it arrived) and answers from a script. Real HTTP is in the integration tests.
/// </summary>
internal sealed class ScriptedBroker : HttpMessageHandler
{
    private readonly TimeProvider _time;
    private readonly Channel<BrokerRequest> _arrivals = Channel.CreateUnbounded<BrokerRequest>();

    public ScriptedBroker(TimeProvider time) => _time = time;

    /// <summary>Answers a request; the default accepts everything with 200.</summary>
    public Func<BrokerRequest, CancellationToken, Task<HttpResponseMessage>> Respond { get; set; } =
        (_, _) => Task.FromResult(Json(HttpStatusCode.OK, "{\"message\":\"events published\",\"content\":{}}"));

    private readonly List<BrokerRequest> _requests = [];

    /// <summary>Every attempt so far, in arrival order (a snapshot: requests of one round may run concurrently).</summary>
    public IReadOnlyList<BrokerRequest> Requests
    {
        get
        {
            lock (_requests)
            {
                return [.. _requests];
            }
        }
    }

    public static HttpResponseMessage Json(HttpStatusCode status, string body) =>
        new(status) { Content = new StringContent(body, Encoding.UTF8, "application/json") };

    public static HttpResponseMessage Error(HttpStatusCode status, string error) =>
        Json(status, JsonSerializer.Serialize(new Dictionary<string, string> { ["error"] = error }));

    /// <summary>Waits (in real time, as a safety net only) until the broker has seen <paramref name="count"/> attempts.</summary>
    public async Task WaitForRequestsAsync(int count)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        while (Requests.Count < count)
        {
            await _arrivals.Reader.ReadAsync(timeout.Token);
        }
    }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var body = request.Content is null ? "" : await request.Content.ReadAsStringAsync(cancellationToken);
        var arrival = new BrokerRequest(_time.GetUtcNow(), request.Method, request.RequestUri!, request.Headers.Authorization?.ToString(),
            request.Content?.Headers.ContentType?.MediaType, body);
        lock (_requests)
        {
            _requests.Add(arrival);
        }

        _arrivals.Writer.TryWrite(arrival);
        return await Respond(arrival, cancellationToken);
    }
}

internal sealed record BrokerRequest(DateTimeOffset At, HttpMethod Method, Uri Uri, string? Authorization, string? ContentType, string Body)
{
    public JsonElement[] Events => JsonDocument.Parse(Body).RootElement.EnumerateArray().ToArray();

    public string[] Resources => [.. Events.Select(e => e.GetProperty("resource").GetString()!)];

    public bool Contains(string measurement) => Events.Any(e => e.TryGetProperty(measurement, out _));
}
