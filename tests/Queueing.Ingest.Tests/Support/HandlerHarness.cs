using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Queueing.Contracts.Events;
using Queueing.Ingest.Rounds;
using Queueing.Ingest.Settings;
using Queueing.Ingest.Telemetry;
using Queueing.Ingest.Waylay;
using Queueing.Shared.DeadLetters;
using Queueing.Shared.Logging;
using Queueing.Shared.Runtime;
using Queueing.Testing;

namespace Queueing.Ingest.Tests.Support;

/// <summary>The real handler with a scripted broker, a recording parker and fake time; captures its stdout.</summary>
internal sealed class HandlerHarness : IDisposable
{
    public const string Parameter = "/queueing/waylay-credentials";

    private readonly MemoryStream _stdout = new();
    private readonly JsonLogWriter _output;
    private readonly HttpClient _http;

    public HandlerHarness(int maxReceiveCount = 3, int maxEventsPerRequest = 100, WaylayResilienceOptions? resilience = null, IRecordParker? parker = null, int maxTelemetryBytes = 4096, int maxConcurrentRequests = 4, TelemetryFormat format = TelemetryFormat.Flat)
    {
        Broker = new ScriptedBroker(Time);
        _http = new HttpClient(Broker);
        Settings = new IngestSettings
        {
            WaylayDataUrl = new Uri("https://api.waylay.test/"),
            CredentialsParameter = Parameter,
            DeadLetterQueueUrl = "https://sqs.us-east-1.amazonaws.com/123456789012/IngestDLQ",
            MaxReceiveCount = maxReceiveCount,
            WaylayRequestTimeout = TimeSpan.FromSeconds(1),
            MaxTelemetryBytes = maxTelemetryBytes,
            TelemetryFormat = format,
        };
        _output = new JsonLogWriter(_stdout);
        var loggers = new JsonLoggerFactory(_output, LogLevel.Debug, Time);
        Waylay = new WaylayClient(_http, Settings.WaylayDataUrl, Secret, Parameter,
            resilience ?? new WaylayResilienceOptions { MaxRetryAttempts = 0, MinimumThroughput = 1000, Random = () => 1.0 },
            Time, loggers.CreateLogger("test"));
        Handler = new IngestFunction(Settings, Waylay, parker ?? Parker, new RequestChunker(maxEventsPerRequest), Time, loggers, maxConcurrentRequests);
    }

    public TimerAwareTimeProvider Time { get; } = new(new DateTimeOffset(2025, 11, 28, 0, 0, 0, TimeSpan.Zero));
    public ScriptedBroker Broker { get; }
    public FakeSecret Secret { get; } = new(FakeSecret.Json("key-1", "secret-1"));
    public RecordingParker Parker { get; } = new();
    public IngestSettings Settings { get; }
    public WaylayClient Waylay { get; }
    public IngestFunction Handler { get; }

    public InvocationContext Context(TimeSpan? remaining = null) => new(
        new Invocation("req-1", Time.GetUtcNow() + (remaining ?? TimeSpan.FromMinutes(1)), "arn:aws:lambda:us-east-1:123456789012:function:ingest", null, null, null, ReadOnlyMemory<byte>.Empty),
        "ingest",
        Time,
        _output);

    public Task<SqsBatchResponse> InvokeAsync(params SqsMessage[] records) =>
        Handler.HandleAsync(TestRecords.Event(records), Context(), CancellationToken.None);

    public string[] Failures(SqsBatchResponse response) => [.. response.BatchItemFailures.Select(f => f.ItemIdentifier)];

    /// <summary>The stdout lines (logs and EMF) written so far.</summary>
    public IReadOnlyList<JsonElement> Lines =>
        [.. Encoding.UTF8.GetString(_stdout.ToArray()).Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement)];

    /// <summary>The EMF line of the last invocation.</summary>
    public JsonElement Metrics => Lines.Last(l => l.TryGetProperty("_aws", out _));

    private readonly List<JsonElement> _accepted = [];

    /// <summary>Every event the broker accepted (answered 2xx), in arrival order.</summary>
    public IReadOnlyList<JsonElement> Accepted
    {
        get
        {
            lock (_accepted)
            {
                return [.. _accepted];
            }
        }
    }

    public void Accept(IEnumerable<JsonElement> events)
    {
        lock (_accepted)
        {
            _accepted.AddRange(events);
        }
    }

    /// <summary>Accept everything except requests holding an event with <paramref name="poison"/>: 400 with Waylay's error.</summary>
    public void RejectEventsWith(string poison, System.Net.HttpStatusCode status = System.Net.HttpStatusCode.BadRequest)
    {
        Broker.Respond = (request, _) =>
        {
            if (request.Contains(poison))
            {
                return Task.FromResult(ScriptedBroker.Error(status, $"Invalid measurement '{poison}'"));
            }

            Accept(request.Events);
            return Task.FromResult(ScriptedBroker.Json(System.Net.HttpStatusCode.OK, "{}"));
        };
    }

    public void Dispose()
    {
        _http.Dispose();
        _stdout.Dispose();
    }
}
