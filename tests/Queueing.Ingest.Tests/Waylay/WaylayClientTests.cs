using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using Polly.CircuitBreaker;
using Queueing.Ingest.Tests.Support;
using Queueing.Ingest.Waylay;
using Queueing.Shared.Secrets;
using Queueing.Testing;

namespace Queueing.Ingest.Tests.Waylay;

public sealed class WaylayClientTests : IDisposable
{
    private static readonly byte[] Body = "[{\"resource\":\"lamp-1\",\"timestamp\":1,\"lightValue\":3}]"u8.ToArray();

    // Whole seconds, so HTTP-dates (second resolution) land exactly.
    private readonly TimerAwareTimeProvider _time = new(new DateTimeOffset(2025, 11, 28, 0, 0, 0, TimeSpan.Zero));
    private readonly ScriptedBroker _broker;
    private readonly FakeSecret _secret = new(FakeSecret.Json("key-1", "secret-1"));
    private readonly HttpClient _http;

    public WaylayClientTests()
    {
        _broker = new ScriptedBroker(_time);
        _http = new HttpClient(_broker);
    }

    private static WaylayResilienceOptions Options(int retries = 3) => new()
    {
        RequestTimeout = TimeSpan.FromSeconds(1),
        MaxRetryAttempts = retries,
        BaseDelay = TimeSpan.FromMilliseconds(200),
        MaxDelay = TimeSpan.FromSeconds(5),
        MinimumThroughput = 100,
        BreakDuration = TimeSpan.FromSeconds(10),
        Random = () => 1.0,
    };

    private WaylayClient Client(WaylayResilienceOptions? options = null, string url = "https://api.waylay.test/") =>
        new(_http, new Uri(url), _secret, "/queueing/waylay-credentials", options ?? Options(), _time, NullLogger.Instance);

    private DateTimeOffset Far => _time.GetUtcNow().AddMinutes(10);

    private void Script(params Func<HttpResponseMessage>[] answers)
    {
        var next = 0;
        _broker.Respond = (_, _) => Task.FromResult(answers[Math.Min(next++, answers.Length - 1)]());
    }

    private static HttpResponseMessage Status(HttpStatusCode status, string error = "boom") => ScriptedBroker.Error(status, error);

    private static HttpResponseMessage Ok() => ScriptedBroker.Json(HttpStatusCode.OK, "{}");

    private static HttpResponseMessage RetryAfter(HttpStatusCode status, TimeSpan delta)
    {
        var response = Status(status, "slow down");
        response.Headers.RetryAfter = new RetryConditionHeaderValue(delta);
        return response;
    }

    [Fact]
    public async Task PostEventsAsync_Accepted_SendsJsonWithBasicAuthToEventsPath()
    {
        var answer = await Client().PostEventsAsync(Body, Far, CancellationToken.None);

        Assert.Equal(WaylayAnswerKind.Delivered, answer.Kind);
        var request = Assert.Single(_broker.Requests);
        Assert.Equal(HttpMethod.Post, request.Method);
        Assert.Equal("https://api.waylay.test/data/v1/events", request.Uri.ToString());
        Assert.Equal("Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes("key-1:secret-1")), request.Authorization);
        Assert.Equal("application/json", request.ContentType);
        Assert.Equal(Encoding.UTF8.GetString(Body), request.Body);
    }

    [Theory]
    [InlineData("https://gw.example/waylay", "https://gw.example/waylay/data/v1/events")]
    [InlineData("https://gw.example/waylay/", "https://gw.example/waylay/data/v1/events")]
    [InlineData("http://127.0.0.1:8080", "http://127.0.0.1:8080/data/v1/events")]
    public void EventsUri_KeepsAnyBasePath(string baseUrl, string expected)
    {
        Assert.Equal(expected, WaylayClient.EventsUri(new Uri(baseUrl)).ToString());
    }

    [Theory]
    [InlineData(HttpStatusCode.BadRequest, WaylayAnswerKind.Rejected)]
    [InlineData(HttpStatusCode.RequestEntityTooLarge, WaylayAnswerKind.Rejected)]
    [InlineData(HttpStatusCode.UnprocessableEntity, WaylayAnswerKind.Rejected)]
    [InlineData(HttpStatusCode.Unauthorized, WaylayAnswerKind.Unauthorized)]
    [InlineData(HttpStatusCode.Forbidden, WaylayAnswerKind.Unauthorized)]
    [InlineData(HttpStatusCode.NotFound, WaylayAnswerKind.Misconfigured)]
    [InlineData(HttpStatusCode.MethodNotAllowed, WaylayAnswerKind.Misconfigured)]
    [InlineData(HttpStatusCode.MovedPermanently, WaylayAnswerKind.Misconfigured)]
    public async Task PostEventsAsync_PermanentAnswer_IsNotRetried(HttpStatusCode status, WaylayAnswerKind kind)
    {
        Script(() => Status(status, "Waylay says no"));

        var answer = await Client().PostEventsAsync(Body, Far, CancellationToken.None);

        Assert.Equal(kind, answer.Kind);
        Assert.Equal((int)status, answer.StatusCode);
        Assert.EndsWith(": Waylay says no", answer.Error, StringComparison.Ordinal);
        Assert.Single(_broker.Requests);
    }

    [Theory]
    [InlineData(HttpStatusCode.RequestTimeout)]
    [InlineData(HttpStatusCode.TooManyRequests)]
    [InlineData(HttpStatusCode.InternalServerError)]
    [InlineData(HttpStatusCode.BadGateway)]
    [InlineData(HttpStatusCode.ServiceUnavailable)]
    [InlineData(HttpStatusCode.GatewayTimeout)]
    public async Task PostEventsAsync_TransientThenAccepted_RetriesAfterBackoff(HttpStatusCode status)
    {
        Script(() => Status(status), Ok);
        var client = Client();

        var call = client.PostEventsAsync(Body, Far, CancellationToken.None);
        await _time.WaitForTimerAsync(TimeSpan.FromMilliseconds(200));
        _time.Advance(TimeSpan.FromMilliseconds(199));
        Assert.Single(_broker.Requests);
        _time.Advance(TimeSpan.FromMilliseconds(1));
        var answer = await call;

        Assert.Equal(WaylayAnswerKind.Delivered, answer.Kind);
        Assert.Equal(1, answer.Retries);
        Assert.Equal(TimeSpan.FromMilliseconds(200), _broker.Requests[1].At - _broker.Requests[0].At);
    }

    [Fact]
    public async Task PostEventsAsync_RefusedAfterARetry_QuotesWaylaysVerdictAlone()
    {
        Script(() => Status(HttpStatusCode.ServiceUnavailable), () => Status(HttpStatusCode.BadRequest, "Invalid event"));

        var call = Client().PostEventsAsync(Body, Far, CancellationToken.None);
        await _time.AdvanceWhenWaitingAsync(TimeSpan.FromMilliseconds(200));
        var answer = await call;

        Assert.Equal(WaylayAnswerKind.Rejected, answer.Kind);
        Assert.Equal(1, answer.Retries);
        Assert.Equal("HTTP 400 Bad Request: Invalid event", answer.Error);
    }

    [Fact]
    public async Task PostEventsAsync_PersistentFailure_BacksOffExponentiallyUntilAttemptsRunOut()
    {
        Script(() => Status(HttpStatusCode.InternalServerError, "broker down"));

        var call = Client().PostEventsAsync(Body, Far, CancellationToken.None);
        foreach (var ms in new[] { 200, 400, 800 })
        {
            await _time.AdvanceWhenWaitingAsync(TimeSpan.FromMilliseconds(ms));
        }

        var answer = await call;

        Assert.Equal(WaylayAnswerKind.Transient, answer.Kind);
        Assert.Equal(3, answer.Retries);
        Assert.Equal("HTTP 500 Internal Server Error: broker down (after 3 retries)", answer.Error);
        Assert.Equal([0, 200, 600, 1400], _broker.Requests.Select(r => (r.At - _broker.Requests[0].At).TotalMilliseconds));
    }

    [Fact]
    public async Task PostEventsAsync_RetryAfterSeconds_WaitsExactlyThatLong()
    {
        Script(() => RetryAfter(HttpStatusCode.TooManyRequests, TimeSpan.FromSeconds(2)), Ok);

        var call = Client().PostEventsAsync(Body, Far, CancellationToken.None);
        await _time.WaitForTimerAsync(TimeSpan.FromSeconds(2));
        _time.Advance(TimeSpan.FromMilliseconds(1999));
        Assert.Single(_broker.Requests);
        _time.Advance(TimeSpan.FromMilliseconds(1));

        Assert.Equal(WaylayAnswerKind.Delivered, (await call).Kind);
        Assert.Equal(TimeSpan.FromSeconds(2), _broker.Requests[1].At - _broker.Requests[0].At);
    }

    [Fact]
    public async Task PostEventsAsync_RetryAfterHttpDate_WaitsUntilThatDate()
    {
        Script(
            () =>
            {
                var response = Status(HttpStatusCode.ServiceUnavailable);
                response.Headers.RetryAfter = new RetryConditionHeaderValue(_time.GetUtcNow().AddSeconds(3));
                return response;
            },
            Ok);

        var call = Client().PostEventsAsync(Body, Far, CancellationToken.None);
        await _time.WaitForTimerAsync(TimeSpan.FromSeconds(3));
        _time.Advance(TimeSpan.FromMilliseconds(2999));
        Assert.Single(_broker.Requests);
        _time.Advance(TimeSpan.FromMilliseconds(1));

        Assert.Equal(WaylayAnswerKind.Delivered, (await call).Kind);
        Assert.Equal(TimeSpan.FromSeconds(3), _broker.Requests[1].At - _broker.Requests[0].At);
    }

    [Fact]
    public async Task PostEventsAsync_RetryAfterPastTheBudget_GivesUpAtOnce()
    {
        Script(() => RetryAfter(HttpStatusCode.TooManyRequests, TimeSpan.FromSeconds(30)), Ok);

        var answer = await Client().PostEventsAsync(Body, _time.GetUtcNow().AddSeconds(10), CancellationToken.None);

        Assert.Equal(WaylayAnswerKind.Transient, answer.Kind);
        Assert.Single(_broker.Requests);
        Assert.Equal("HTTP 429 Too Many Requests: slow down; not retried: waiting 30 s (Retry-After) would pass the invocation's deadline", answer.Error);
    }

    [Fact]
    public async Task PostEventsAsync_BackoffReachesTheBudget_StopsBeforeTheDeadline()
    {
        Script(() => Status(HttpStatusCode.BadGateway));

        // Delays would be 200, 400, 800 ms; the third retry would start at 1400 ms, past a 1000 ms budget.
        var call = Client().PostEventsAsync(Body, _time.GetUtcNow().AddMilliseconds(1000), CancellationToken.None);
        await _time.AdvanceWhenWaitingAsync(TimeSpan.FromMilliseconds(200));
        await _time.AdvanceWhenWaitingAsync(TimeSpan.FromMilliseconds(400));
        var answer = await call;

        Assert.Equal(3, _broker.Requests.Count);
        Assert.Equal(2, answer.Retries);
        Assert.Contains("not retried: waiting 0.8 s would pass the invocation's deadline", answer.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PostEventsAsync_SlowBroker_TimesOutEachAttempt()
    {
        _broker.Respond = async (_, ct) =>
        {
            await Task.Delay(Timeout.InfiniteTimeSpan, _time, ct);
            return Ok();
        };

        var call = Client(Options(retries: 1)).PostEventsAsync(Body, Far, CancellationToken.None);
        await _time.AdvanceWhenWaitingAsync(TimeSpan.FromSeconds(1));
        await _time.AdvanceWhenWaitingAsync(TimeSpan.FromMilliseconds(200));
        // The attempt's timeout timer starts just before the request reaches the broker: let it arrive first.
        await _broker.WaitForRequestsAsync(2);
        await _time.AdvanceWhenWaitingAsync(TimeSpan.FromSeconds(1));
        var answer = await call;

        Assert.Equal(WaylayAnswerKind.Transient, answer.Kind);
        Assert.Equal("no answer within 1000 ms (WAYLAY_REQUEST_TIMEOUT_MS) (after 1 retry)", answer.Error);
        Assert.Equal(2, _broker.Requests.Count);
        Assert.Equal(TimeSpan.FromMilliseconds(1200), _broker.Requests[1].At - _broker.Requests[0].At);
    }

    [Fact]
    public async Task PostEventsAsync_NetworkError_IsTransientAndRetried()
    {
        var attempts = 0;
        _broker.Respond = (_, _) => ++attempts == 1
            ? throw new HttpRequestException("Connection refused (api.waylay.test:443)")
            : Task.FromResult(Ok());

        var call = Client().PostEventsAsync(Body, Far, CancellationToken.None);
        await _time.AdvanceWhenWaitingAsync(TimeSpan.FromMilliseconds(200));

        Assert.Equal(WaylayAnswerKind.Delivered, (await call).Kind);
        Assert.Equal(2, attempts);
    }

    [Fact]
    public async Task PostEventsAsync_NetworkErrorEveryTime_SaysTheBrokerIsUnreachable()
    {
        _broker.Respond = (_, _) => throw new HttpRequestException("Connection refused (api.waylay.test:443)");

        var answer = await Client(Options(retries: 0)).PostEventsAsync(Body, Far, CancellationToken.None);

        Assert.Equal(WaylayAnswerKind.Transient, answer.Kind);
        Assert.Equal("cannot reach the broker: Connection refused (api.waylay.test:443)", answer.Error);
    }

    [Fact]
    public async Task PostEventsAsync_BudgetAlreadySpent_IsTransientWithoutCallingTheBroker()
    {
        using var spent = new CancellationTokenSource();
        await spent.CancelAsync();

        var answer = await Client().PostEventsAsync(Body, Far, spent.Token);

        Assert.Equal(WaylayAnswerKind.Transient, answer.Kind);
        Assert.Contains("time budget", answer.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CircuitBreaker_BrokerFailing_OpensAndFailsFastAcrossCalls()
    {
        Script(() => Status(HttpStatusCode.InternalServerError, "db down"));
        var client = Client(Options(retries: 0) with { MinimumThroughput = 2, FailureRatio = 0.5 });

        await client.PostEventsAsync(Body, Far, CancellationToken.None);
        await client.PostEventsAsync(Body, Far, CancellationToken.None);
        var fast = await client.PostEventsAsync(Body, Far, CancellationToken.None);

        Assert.Equal(CircuitState.Open, client.CircuitState);
        Assert.Equal(2, _broker.Requests.Count);
        Assert.Equal(WaylayAnswerKind.Transient, fast.Kind);
        Assert.StartsWith("Waylay circuit open (broker failing: HTTP 500); calls resume in 10 s", fast.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CircuitBreaker_AfterBreakDuration_ProbesAndCloses()
    {
        Script(() => Status(HttpStatusCode.ServiceUnavailable), () => Status(HttpStatusCode.ServiceUnavailable), Ok);
        var client = Client(Options(retries: 0) with { MinimumThroughput = 2 });
        await client.PostEventsAsync(Body, Far, CancellationToken.None);
        await client.PostEventsAsync(Body, Far, CancellationToken.None);
        Assert.Equal(CircuitState.Open, client.CircuitState);

        _time.Advance(TimeSpan.FromSeconds(10));
        var probe = await client.PostEventsAsync(Body, Far, CancellationToken.None);

        Assert.Equal(WaylayAnswerKind.Delivered, probe.Kind);
        Assert.Equal(CircuitState.Closed, client.CircuitState);
        Assert.Equal(3, _broker.Requests.Count);
    }

    [Fact]
    public async Task CircuitBreaker_Throttling_DoesNotOpenIt()
    {
        Script(() => Status(HttpStatusCode.TooManyRequests));
        var client = Client(Options(retries: 0) with { MinimumThroughput = 2 });

        for (var i = 0; i < 5; i++)
        {
            await client.PostEventsAsync(Body, Far, CancellationToken.None);
        }

        Assert.Equal(CircuitState.Closed, client.CircuitState);
        Assert.Equal(5, _broker.Requests.Count);
    }

    [Fact]
    public async Task CircuitBreaker_OpenDuringRetries_StopsRetrying()
    {
        Script(() => Status(HttpStatusCode.InternalServerError));
        var client = Client(Options(retries: 5) with { MinimumThroughput = 2 });

        var call = client.PostEventsAsync(Body, Far, CancellationToken.None);
        await _time.AdvanceWhenWaitingAsync(TimeSpan.FromMilliseconds(200));
        // The second failure opens the circuit; the retry after it meets the open circuit instead of the broker.
        await _time.AdvanceWhenWaitingAsync(TimeSpan.FromMilliseconds(400));
        var answer = await call;

        Assert.Equal(2, _broker.Requests.Count);
        Assert.Equal(2, answer.Retries);
        Assert.StartsWith("Waylay circuit open", answer.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PostEventsAsync_UnreadableCredentials_IsAConfigurationFaultWithoutARequest()
    {
        _secret.Stored = "{\"apiKey\":\"only-a-key\"}";

        var answer = await Client().PostEventsAsync(Body, Far, CancellationToken.None);

        Assert.Equal(WaylayAnswerKind.Misconfigured, answer.Kind);
        Assert.Contains("lacks apiKey or apiSecret", answer.Error, StringComparison.Ordinal);
        Assert.Empty(_broker.Requests);
    }

    [Fact]
    public async Task PostEventsAsync_MissingParameter_IsAConfigurationFault()
    {
        _secret.Failure = new SecretUnavailableException("SSM parameter '/queueing/waylay-credentials' does not exist.");

        var answer = await Client().PostEventsAsync(Body, Far, CancellationToken.None);

        Assert.Equal(WaylayAnswerKind.Misconfigured, answer.Kind);
        Assert.Equal("Waylay credentials unavailable: SSM parameter '/queueing/waylay-credentials' does not exist.", answer.Error);
    }

    [Fact]
    public async Task PostEventsAsync_CredentialReadThrowsAnUnexpectedException_IsAConfigurationFaultNotAThrow()
    {
        // What the SDK throws from endpoint resolution when AWS_ENDPOINT_URL_SSM is set but empty. Thrown out of the
        // client it would fail the invocation, and the retried batch would send Waylay the rounds already delivered.
        _secret.Failure = new ArgumentNullException("ServiceURL");

        var answer = await Client().PostEventsAsync(Body, Far, CancellationToken.None);

        Assert.Equal(WaylayAnswerKind.Misconfigured, answer.Kind);
        Assert.StartsWith("Waylay credentials unavailable: reading SSM parameter '", answer.Error, StringComparison.Ordinal);
        Assert.Contains("ServiceURL", answer.Error, StringComparison.Ordinal);
        Assert.Empty(_broker.Requests);
    }

    [Fact]
    public async Task RefreshCredentialsAsync_RotatedParameter_NextRequestUsesTheNewKey()
    {
        var client = Client();
        await client.PostEventsAsync(Body, Far, CancellationToken.None);
        _secret.Stored = FakeSecret.Json("key-2", "secret-2");

        Assert.Null(await client.RefreshCredentialsAsync(CancellationToken.None));
        await client.PostEventsAsync(Body, Far, CancellationToken.None);

        Assert.Equal("Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes("key-2:secret-2")), _broker.Requests[1].Authorization);
    }

    public void Dispose() => _http.Dispose();
}
