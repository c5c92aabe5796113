using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Net.Http.Headers;
using Amazon.Runtime;
using Microsoft.Extensions.Logging;
using Polly;
using Polly.CircuitBreaker;
using Polly.Retry;
using Polly.Timeout;
using Queueing.Shared.Secrets;

namespace Queueing.Ingest.Waylay;

/// <summary>
/// <c>POST {WAYLAY_DATA_URL}/data/v1/events</c> with HTTP Basic (apiKey:apiSecret from SSM), through one Polly
/// pipeline kept for the life of the function instance: retry (outer) -> circuit breaker -> per-attempt timeout.
/// Retries only transient answers, waits as <c>Retry-After</c> says or with jittered exponential backoff, and never
/// starts a retry whose wait passes the invocation's budget. The breaker's state survives across invocations, so
/// a dead broker costs the next invocations nothing but a fast failure.
/// </summary>
internal sealed partial class WaylayClient
{
    private static readonly ResiliencePropertyKey<DateTimeOffset> BudgetDeadlineKey = new("Queueing.Waylay.BudgetDeadline");
    private static readonly ResiliencePropertyKey<CallState> CallKey = new("Queueing.Waylay.Call");
    private static readonly MediaTypeHeaderValue JsonMediaType = new("application/json");

    private readonly HttpClient _http;
    private readonly Uri _eventsUri;
    private readonly ISecret _credentials;
    private readonly string _parameterName;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly RetryDelay _retryDelay;
    private readonly TimeSpan _requestTimeout;
    private readonly CircuitBreakerStateProvider _circuit = new();
    private readonly ResiliencePipeline<HttpResponseMessage> _pipeline;
    private volatile string? _breakingFailure;
    private volatile CachedToken? _token;

    public WaylayClient(
        HttpClient http,
        Uri waylayDataUrl,
        ISecret credentials,
        string credentialsParameterName,
        WaylayResilienceOptions options,
        TimeProvider time,
        ILogger logger)
    {
        _http = http;
        _eventsUri = EventsUri(waylayDataUrl);
        _credentials = credentials;
        _parameterName = credentialsParameterName;
        _time = time;
        _logger = logger;
        _requestTimeout = options.RequestTimeout;
        _retryDelay = new RetryDelay(options.BaseDelay, options.MaxDelay, options.Random, time);
        _pipeline = BuildPipeline(options);
    }

    /// <summary>Closed, Open, HalfOpen or Isolated: what the next call will meet.</summary>
    public CircuitState CircuitState => _circuit.CircuitState;

    public static Uri EventsUri(Uri waylayDataUrl) =>
        new(new Uri(waylayDataUrl.AbsoluteUri.TrimEnd('/') + "/", UriKind.Absolute), "data/v1/events");

    /// <summary>A plain HttpClient for the broker; the pipeline, not HttpClient.Timeout, bounds each attempt.</summary>
    public static HttpClient CreateHttpClient() => new(
        new SocketsHttpHandler
        {
            // A redirect means WAYLAY_DATA_URL is wrong; following it would re-send the credentials elsewhere.
            AllowAutoRedirect = false,
            // Re-resolve DNS now and then: the broker sits behind load balancers whose addresses change.
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            AutomaticDecompression = System.Net.DecompressionMethods.All,
        },
        disposeHandler: true)
    {
        Timeout = Timeout.InfiniteTimeSpan,
        DefaultRequestHeaders = { { "User-Agent", "Queueing-Ingest/1.0" } },
    };

    /// <summary>
    /// Sends one request body (a JSON array of events) and classifies the answer. Never throws for an HTTP,
    /// network, timeout or credentials problem: those are answers too.
    /// </summary>
    public async Task<WaylayAnswer> PostEventsAsync(byte[] body, DateTimeOffset budgetDeadline, CancellationToken cancellationToken)
    {
        var (token, problem) = await GetTokenAsync(refresh: false, cancellationToken);
        if (token is null)
        {
            return new WaylayAnswer(WaylayAnswerKind.Misconfigured, null, problem!);
        }

        var call = new CallState();
        var context = ResilienceContextPool.Shared.Get(cancellationToken);
        context.Properties.Set(BudgetDeadlineKey, budgetDeadline);
        context.Properties.Set(CallKey, call);
        Outcome<HttpResponseMessage> outcome;
        try
        {
            outcome = await _pipeline.ExecuteOutcomeAsync(SendOnceAsync, context, new Attempt(this, body, token));
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }

        return await ToAnswerAsync(outcome, call, cancellationToken);
    }

    /// <summary>Re-reads the credentials (after a 401/403: they may have been rotated); null when that worked.</summary>
    public async Task<string?> RefreshCredentialsAsync(CancellationToken cancellationToken)
    {
        var (token, problem) = await GetTokenAsync(refresh: true, cancellationToken);
        return token is null ? problem : null;
    }

    private static async ValueTask<Outcome<HttpResponseMessage>> SendOnceAsync(ResilienceContext context, Attempt attempt)
    {
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, attempt.Client._eventsUri)
            {
                Content = new ByteArrayContent(attempt.Body) { Headers = { ContentType = JsonMediaType } },
            };
            request.Headers.Authorization = new AuthenticationHeaderValue("Basic", attempt.Token);
            // ResponseContentRead: the (small) answer is buffered inside the attempt's timeout.
            var response = await attempt.Client._http.SendAsync(request, HttpCompletionOption.ResponseContentRead, context.CancellationToken);
            return Outcome.FromResult(response);
        }
        // Polly's outcome API requires the callback not to throw: every failure becomes an outcome the
        // strategies (and ToAnswerAsync) classify.
        catch (Exception ex)
        {
            return Outcome.FromException<HttpResponseMessage>(ex);
        }
    }

    private ResiliencePipeline<HttpResponseMessage> BuildPipeline(WaylayResilienceOptions options)
    {
        var builder = new ResiliencePipelineBuilder<HttpResponseMessage> { TimeProvider = _time };
        if (options.MaxRetryAttempts > 0)
        {
            builder.AddRetry(new RetryStrategyOptions<HttpResponseMessage>
            {
                MaxRetryAttempts = options.MaxRetryAttempts,
                ShouldHandle = args => ValueTask.FromResult(ShouldRetry(args.Outcome, args.AttemptNumber, args.Context)),
                // ShouldRetry already chose the delay (it needs it to check the budget).
                DelayGenerator = args => ValueTask.FromResult<TimeSpan?>(args.Context.Properties.GetValue(CallKey, null!)?.PlannedDelay ?? TimeSpan.Zero),
                OnRetry = args =>
                {
                    args.Context.Properties.GetValue(CallKey, null!)?.Retried();
                    LogRetrying(Describe(args.Outcome), args.AttemptNumber + 1, args.RetryDelay);
                    return default;
                },
            });
        }

        builder.AddCircuitBreaker(new CircuitBreakerStrategyOptions<HttpResponseMessage>
        {
            FailureRatio = options.FailureRatio,
            MinimumThroughput = options.MinimumThroughput,
            SamplingDuration = options.SamplingDuration,
            BreakDuration = options.BreakDuration,
            StateProvider = _circuit,
            ShouldHandle = args => ValueTask.FromResult(IsBrokerFailure(args.Outcome)),
            OnOpened = args =>
            {
                _breakingFailure = Describe(args.Outcome);
                LogCircuitOpened(args.BreakDuration, _breakingFailure);
                return default;
            },
            OnClosed = _ =>
            {
                LogCircuitClosed();
                return default;
            },
        });
        builder.AddTimeout(new TimeoutStrategyOptions { Timeout = options.RequestTimeout });
        return builder.Build();
    }

    private bool ShouldRetry(Outcome<HttpResponseMessage> outcome, int attempt, ResilienceContext context)
    {
        var transient = outcome.Exception switch
        {
            null => WaylayAnswer.IsTransient((int)outcome.Result!.StatusCode),
            HttpRequestException or TimeoutRejectedException => true,
            // An open circuit is the fast failure we want; our own cancellation (budget, shutdown) ends the call.
            _ => false,
        };
        if (!transient || !context.Properties.TryGetValue(CallKey, out var call))
        {
            return false;
        }

        var (delay, fromRetryAfter) = _retryDelay.Next(outcome.Result, attempt);
        var deadline = context.Properties.GetValue(BudgetDeadlineKey, DateTimeOffset.MaxValue);
        if (_time.GetUtcNow() + delay >= deadline)
        {
            call.NotRetried = string.Create(CultureInfo.InvariantCulture,
                $"not retried: waiting {delay.TotalSeconds:0.###} s{(fromRetryAfter ? " (Retry-After)" : "")} would pass the invocation's deadline");
            return false;
        }

        call.PlannedDelay = delay;
        return true;
    }

    private static bool IsBrokerFailure(Outcome<HttpResponseMessage> outcome) => outcome.Exception switch
    {
        null => WaylayAnswer.IsBrokerFailure((int)outcome.Result!.StatusCode),
        HttpRequestException or TimeoutRejectedException => true,
        _ => false,
    };

    private async Task<WaylayAnswer> ToAnswerAsync(Outcome<HttpResponseMessage> outcome, CallState call, CancellationToken cancellationToken)
    {
        if (outcome.Exception is { } exception)
        {
            var error = exception switch
            {
                BrokenCircuitException broken => string.Create(CultureInfo.InvariantCulture,
                    $"Waylay circuit open (broker failing: {_breakingFailure ?? "repeated failures"}); calls resume in {broken.RetryAfter?.TotalSeconds ?? 0:0.#} s"),
                _ => Describe(outcome),
            };
            return new WaylayAnswer(WaylayAnswerKind.Transient, null, call.Decorate(error), call.Retries);
        }

        using var response = outcome.Result!;
        var status = (int)response.StatusCode;
        if (WaylayAnswer.Classify(status) == WaylayAnswerKind.Delivered)
        {
            return new WaylayAnswer(WaylayAnswerKind.Delivered, status, string.Empty, call.Retries);
        }

        byte[] content;
        try
        {
            // Already buffered (ResponseContentRead): no network I/O here.
            content = await response.Content.ReadAsByteArrayAsync(cancellationToken);
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException or OperationCanceledException)
        {
            content = [];
        }

        var text = WaylayErrorText.From(response.StatusCode, response.ReasonPhrase, content);
        // Retries explain a transient failure; a refusal is Waylay's verdict on the content, quoted as it is.
        return WaylayAnswer.FromStatus(status, WaylayAnswer.IsTransient(status) ? call.Decorate(text) : text, call.Retries);
    }

    private string Describe(Outcome<HttpResponseMessage> outcome) => outcome.Exception switch
    {
        null => string.Create(CultureInfo.InvariantCulture, $"HTTP {(int)outcome.Result!.StatusCode}"),
        TimeoutRejectedException => string.Create(CultureInfo.InvariantCulture, $"no answer within {_requestTimeout.TotalMilliseconds:0} ms (WAYLAY_REQUEST_TIMEOUT_MS)"),
        BrokenCircuitException => "circuit open",
        OperationCanceledException => "the invocation's time budget ran out before the broker answered",
        HttpRequestException http => "cannot reach the broker: " + http.Message,
        { } other => other.GetType().Name + ": " + other.Message,
    };

    private async Task<(string? Token, string? Problem)> GetTokenAsync(bool refresh, CancellationToken cancellationToken)
    {
        string value;
        try
        {
            value = refresh ? await _credentials.RefreshAsync(cancellationToken) : await _credentials.GetAsync(cancellationToken);
        }
        catch (SecretUnavailableException ex)
        {
            return (null, "Waylay credentials unavailable: " + ex.Message);
        }
        catch (AmazonServiceException ex)
        {
            return (null, $"Waylay credentials unavailable: reading SSM parameter '{_parameterName}' failed: {ex.ErrorCode} {ex.Message}");
        }
        // Boundary: any other failure of the read (network, the SDK refusing its own configuration, e.g. an empty
        // AWS_ENDPOINT_URL_SSM) is a credentials problem of this invocation. Thrown, it would fail the invocation and
        // the retried batch would send Waylay the rounds already delivered.
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            return (null, $"Waylay credentials unavailable: reading SSM parameter '{_parameterName}' failed: {ex.GetType().Name}: {ex.Message}");
        }
        catch (OperationCanceledException)
        {
            return (null, $"Waylay credentials unavailable: reading SSM parameter '{_parameterName}' did not finish within the invocation's time budget");
        }

        if (_token is { } cached && ReferenceEquals(cached.Source, value))
        {
            return (cached.Token, null);
        }

        if (!WaylayCredentials.TryCreateBasicToken(value, _parameterName, out var token, out var problem))
        {
            return (null, "Waylay credentials unusable: " + problem);
        }

        _token = new CachedToken(value, token);
        return (token, null);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Waylay attempt failed ({Failure}); retry {Retry} in {RetryDelay}")]
    private partial void LogRetrying(string failure, int retry, TimeSpan retryDelay);

    [LoggerMessage(Level = LogLevel.Error, Message = "Waylay circuit opened for {BreakDuration} after {Failure}: calls fail fast until then")]
    private partial void LogCircuitOpened(TimeSpan breakDuration, string failure);

    [LoggerMessage(Level = LogLevel.Information, Message = "Waylay circuit closed: the broker answers again")]
    private partial void LogCircuitClosed();

    private sealed record CachedToken(string Source, string Token);

    private readonly record struct Attempt(WaylayClient Client, byte[] Body, string Token);

    /// <summary>What one PostEventsAsync learns across its attempts.</summary>
    private sealed class CallState
    {
        public int Retries { get; private set; }
        public TimeSpan PlannedDelay { get; set; }
        public string? NotRetried { get; set; }

        public void Retried() => Retries++;

        [SuppressMessage("Globalization", "CA1305", Justification = "Integers format the same in every culture.")]
        public string Decorate(string error)
        {
            var retries = Retries == 0 ? "" : $" (after {Retries} {(Retries == 1 ? "retry" : "retries")})";
            return NotRetried is null ? error + retries : $"{error}{retries}; {NotRetried}";
        }
    }
}
