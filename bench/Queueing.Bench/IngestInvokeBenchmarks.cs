using System.Net;
using System.Text.Json;
using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.Logging;
using Queueing.Bench.Commands;
using Queueing.Contracts.Events;
using Queueing.Contracts.Json;
using Queueing.Ingest;
using Queueing.Ingest.Rounds;
using Queueing.Ingest.Settings;
using Queueing.Ingest.Waylay;
using Queueing.Shared.DeadLetters;
using Queueing.Shared.Logging;
using Queueing.Shared.Runtime;

namespace Queueing.Bench;

/// <summary>
/// What the runtime loop calls, per record: a 10,000-record SQS event from 100 devices as the Runtime API hands it
/// over (JSON bytes) -> the real <see cref="IngestFunction"/> (event reading, parsing, rounds, request bodies, the
/// real HttpClient + Polly pipeline, ledger, metrics and log lines) -> response bytes. The broker answers 200 in
/// memory at once, so what is left is the function's own CPU and allocations. 100 devices = 100 rounds of one
/// 100-event request. Results are per record (OperationsPerInvoke).
/// </summary>
[MemoryDiagnoser, MinColumn, MedianColumn]
public class IngestInvokeBenchmarks
{
    private const int Records = 10_000;
    private const int Devices = 100;

    private readonly InstantWaylay _broker = new();
    private IFunctionHandler _handler = null!;
    private byte[] _event = [];
    private InvocationContext _context = null!;

    [GlobalSetup]
    public void Setup()
    {
        var settings = new IngestSettings
        {
            WaylayDataUrl = new Uri("https://api.waylay.bench/"),
            CredentialsParameter = "/queueing/waylay-credentials",
            DeadLetterQueueUrl = "http://127.0.0.1:1/123456789012/IngestDLQ",
            MaxReceiveCount = 5,
            WaylayRequestTimeout = TimeSpan.FromSeconds(5),
            MaxTelemetryBytes = IngestSettings.DefaultMaxTelemetryBytes,
        };
        // Lines formatted as in Lambda, written nowhere: no stdout syscall in the figures.
        var loggers = new JsonLoggerFactory(new JsonLogWriter(Stream.Null), LogLevel.Information, TimeProvider.System);
        var waylay = new WaylayClient(new HttpClient(_broker), settings.WaylayDataUrl, new FixedSigningSecret("{\"apiKey\":\"bench\",\"apiSecret\":\"bench\"}"),
            settings.CredentialsParameter, new WaylayResilienceOptions { RequestTimeout = settings.WaylayRequestTimeout }, TimeProvider.System, loggers.CreateLogger("waylay"));
        _handler = new IngestFunction(settings, waylay, new RefusingParker(), new RequestChunker(), TimeProvider.System, loggers);
        _event = JsonSerializer.SerializeToUtf8Bytes(new SqsEvent { Records = TelemetryBatch.Create(Records, Devices) }, SharedJsonContext.Default.SqsEvent);
        var invocation = new Invocation("bench", DateTimeOffset.UtcNow.AddYears(1), "arn:aws:lambda:us-east-1:123456789012:function:ingest", null, null, null, _event);
        _context = new InvocationContext(invocation, "ingest", TimeProvider.System, new JsonLogWriter(Stream.Null));

        // The path must do what it claims: every record in a request the broker read, no batch item failure.
        _broker.CountEvents = true;
        var answer = Invoke();
        _broker.CountEvents = false;
        var failures = JsonSerializer.Deserialize(answer, SharedJsonContext.Default.SqsBatchResponse)!.BatchItemFailures.Count;
        if (failures != 0 || _broker.Events != Records || _broker.Requests != Records / 100)
        {
            throw new InvalidOperationException($"Not a clean batch: {failures} failures, {_broker.Events} events in {_broker.Requests} requests.");
        }
    }

    [Benchmark(OperationsPerInvoke = Records)]
    public byte[] EventBytesToRequestBodiesAndResponse() => Invoke();

    private byte[] Invoke() => _context.InvokeAsync(_handler, _event, CancellationToken.None).GetAwaiter().GetResult();

    /// <summary>Waylay's broker answering every request at once with its 200 (events published).</summary>
    private sealed class InstantWaylay : HttpMessageHandler
    {
        private static readonly byte[] Accepted = "{\"message\":\"events published\",\"content\":{}}"u8.ToArray();

        public bool CountEvents { get; set; }
        public int Events { get; private set; }
        public int Requests { get; private set; }

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Requests++;
            if (CountEvents)
            {
                using var body = JsonDocument.Parse(await request.Content!.ReadAsByteArrayAsync(cancellationToken));
                Events += body.RootElement.GetArrayLength();
            }

            return new HttpResponseMessage(HttpStatusCode.OK) { Content = new ByteArrayContent(Accepted), RequestMessage = request };
        }
    }

    /// <summary>Every record is valid: a parking would mean the benchmark measures something else.</summary>
    private sealed class RefusingParker : IRecordParker
    {
        public Task<ParkResult> ParkAsync(IReadOnlyList<ParkRequest> requests, CancellationToken cancellationToken) =>
            throw new InvalidOperationException($"{requests.Count} records were sent for parking in a benchmark of valid records.");
    }
}
