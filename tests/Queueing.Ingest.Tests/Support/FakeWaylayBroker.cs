using System.Collections.Concurrent;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Queueing.Testing;

namespace Queueing.Ingest.Tests.Support;

// Kept beside the Waylay sandbox's broker (src/Emulators/Waylay) because the ingest tests need what the sandbox does
// not do: a fault chosen per request number (Faults: status, Retry-After, slowness) rather than the sandbox's
// seeded fail/throttle rates; a credential rotation mid-run (AcceptOnly); the events delivered and every answer
// in request order; and a count of forward-rule violations instead of a refusal alone.

/// <summary>
/// A stand-in for the Waylay broker over real HTTP (Kestrel on loopback), faithful to the parts of the Broker API
/// the function uses: <c>POST /data/v1/events</c>, HTTP Basic apiKey:apiSecret, a ResourceEvent or an array of
/// them, <c>{"error": "..."}</c> on failure, and the forward rule (an array with two events for one resource is
/// refused here, so a violation cannot go unnoticed). Faults are injected per request number.
/// </summary>
internal sealed class FakeWaylayBroker : IAsyncDisposable
{
    private readonly ConcurrentQueue<JsonElement> _delivered = new();
    private readonly ConcurrentQueue<(int Number, int Status, string[] Resources)> _answers = new();
    private LoopbackHttpServer? _server;
    private int _requests;
    private volatile string _expectedAuthorization = "";

    private FakeWaylayBroker()
    {
    }

    public static async Task<FakeWaylayBroker> StartAsync(string apiKey, string apiSecret)
    {
        var standIn = new FakeWaylayBroker();
        standIn.AcceptOnly(apiKey, apiSecret);
        standIn._server = await LoopbackHttpServer.StartAsync(standIn.HandleAsync);
        return standIn;
    }

    public Uri BaseAddress => _server!.BaseAddress;

    /// <summary>Decides a fault for the n-th request (1-based); null answers normally.</summary>
    public Func<int, Fault?> Faults { get; set; } = _ => null;

    /// <summary>Events the broker took (2xx), in arrival order.</summary>
    public IReadOnlyList<JsonElement> Delivered => [.. _delivered];

    public IReadOnlyList<(int Number, int Status, string[] Resources)> Answers => [.. _answers.OrderBy(a => a.Number)];

    /// <summary>Requests that broke the forward rule (two events for one resource in one array).</summary>
    public int ForwardViolations { get; private set; }

    public void AcceptOnly(string apiKey, string apiSecret) =>
        _expectedAuthorization = "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes($"{apiKey}:{apiSecret}"));

    private async Task HandleAsync(HttpContext http)
    {
        var number = Interlocked.Increment(ref _requests);
        var (status, resources) = await AnswerAsync(http, number);
        _answers.Enqueue((number, status, resources));
    }

    private async Task<(int, string[])> AnswerAsync(HttpContext http, int number)
    {
        if (http.Request.Method != "POST" || http.Request.Path != "/data/v1/events")
        {
            return (await ErrorAsync(http, 404, $"No route {http.Request.Method} {http.Request.Path}"), []);
        }

        if (!string.Equals(http.Request.Headers.Authorization.ToString(), _expectedAuthorization, StringComparison.Ordinal))
        {
            return (await ErrorAsync(http, 401, "Invalid api key or secret"), []);
        }

        if (!MediaTypeHeaderValue.TryParse(http.Request.ContentType, out var type) || type.MediaType != "application/json")
        {
            return (await ErrorAsync(http, 415, "Expected application/json"), []);
        }

        JsonElement[] events;
        try
        {
            using var document = await JsonDocument.ParseAsync(http.Request.Body);
            var root = document.RootElement.Clone();
            events = root.ValueKind == JsonValueKind.Array ? [.. root.EnumerateArray()] : [root];
        }
        catch (JsonException ex)
        {
            return (await ErrorAsync(http, 400, "Invalid JSON: " + ex.Message), []);
        }

        var resources = events.Select(e => e.TryGetProperty("resource", out var r) ? r.GetString() ?? "" : "").ToArray();
        if (resources.Any(string.IsNullOrEmpty))
        {
            return (await ErrorAsync(http, 400, "Every event needs a resource"), resources);
        }

        if (events.Length > 1 && resources.Distinct().Count() != resources.Length)
        {
            ForwardViolations++;
            return (await ErrorAsync(http, 400, "Multiple events for one resource cannot be forwarded"), resources);
        }

        switch (Faults(number))
        {
            case { Slow: { } slow }:
                try
                {
                    // The client's per-attempt timeout aborts the request; an aborted request stores nothing.
                    await Task.Delay(slow, http.RequestAborted);
                }
                catch (OperationCanceledException)
                {
                    return (499, resources);
                }

                break;
            case { Status: { } status } fault:
                if (fault.RetryAfterSeconds is { } seconds)
                {
                    http.Response.Headers.RetryAfter = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
                }

                return (await ErrorAsync(http, status, $"Injected failure {status}"), resources);
        }

        var poisoned = events.FirstOrDefault(e => e.TryGetProperty("poison", out _));
        if (poisoned.ValueKind == JsonValueKind.Object)
        {
            return (await ErrorAsync(http, 400, $"Invalid measurement 'poison' for resource {poisoned.GetProperty("resource").GetString()}"), resources);
        }

        foreach (var e in events)
        {
            _delivered.Enqueue(e);
        }

        http.Response.StatusCode = 200;
        await http.Response.WriteAsJsonAsync(new Dictionary<string, object> { ["message"] = "events published", ["content"] = new Dictionary<string, object>() });
        return (200, resources);
    }

    private static async Task<int> ErrorAsync(HttpContext http, int status, string error)
    {
        http.Response.StatusCode = status;
        await http.Response.WriteAsJsonAsync(new Dictionary<string, string> { ["error"] = error });
        return status;
    }

    public async ValueTask DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }
}

/// <summary>An injected broker fault: an error status (with optional Retry-After) or a slow answer.</summary>
internal sealed record Fault(int? Status = null, int? RetryAfterSeconds = null, TimeSpan? Slow = null);
