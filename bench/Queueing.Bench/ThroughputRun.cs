using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Queueing.Contracts.Events;
using Queueing.Contracts.Json;
using Queueing.Ingest;
using Queueing.Ingest.Rounds;
using Queueing.Ingest.Settings;
using Queueing.Ingest.Waylay;
using Queueing.Shared.DeadLetters;
using Queueing.Shared.Logging;
using Queueing.Shared.Runtime;
using Queueing.Shared.Secrets;

namespace Queueing.Bench;

/// <summary>
/// `throughput`: a 10,000-record SQS event (as JSON bytes, the way the Runtime API hands it over) through the
/// real handler and the real HttpClient + Polly pipeline, to a Waylay stand-in on loopback that parses every
/// request and answers 200 (after <c>--latency-ms</c>, to model a remote broker). Reports records/s end to end and
/// the requests sent.
/// </summary>
internal static class ThroughputRun
{
    public static async Task<int> RunAsync(string[] args)
    {
        var records = Option(args, "--records", 10_000);
        var devices = Option(args, "--devices", 1_000);
        var runs = Option(args, "--runs", 10);
        // Simulated broker processing time per request: production throughput is bounded by it (requests are sequential).
        var latency = TimeSpan.FromMilliseconds(Option(args, "--latency-ms", 0));

        var events = 0L;
        var requests = 0;
        await using var broker = await StartBrokerAsync(async http =>
        {
            using var body = await JsonDocument.ParseAsync(http.Request.Body);
            if (latency > TimeSpan.Zero)
            {
                await Task.Delay(latency);
            }

            Interlocked.Add(ref events, body.RootElement.GetArrayLength());
            Interlocked.Increment(ref requests);
            http.Response.ContentType = "application/json";
            await http.Response.WriteAsync("{\"message\":\"events published\",\"content\":{}}");
        });
        var brokerUrl = new Uri(broker.Urls.First());

        var settings = new IngestSettings
        {
            WaylayDataUrl = brokerUrl,
            CredentialsParameter = "/queueing/waylay-credentials",
            DeadLetterQueueUrl = "http://127.0.0.1:1/123456789012/IngestDLQ",
            MaxReceiveCount = 5,
            WaylayRequestTimeout = TimeSpan.FromSeconds(5),
            MaxTelemetryBytes = IngestSettings.DefaultMaxTelemetryBytes,
        };
        var loggers = new JsonLoggerFactory(new JsonLogWriter(Stream.Null), LogLevel.Information, TimeProvider.System);
        var waylay = new WaylayClient(WaylayClient.CreateHttpClient(), brokerUrl, new FixedSecret(), settings.CredentialsParameter,
            new WaylayResilienceOptions { RequestTimeout = settings.WaylayRequestTimeout }, TimeProvider.System, loggers.CreateLogger("waylay"));
        var parker = new CountingParker();
        IFunctionHandler handler = new IngestFunction(settings, waylay, parker, new RequestChunker(), TimeProvider.System, loggers);
        var payload = JsonSerializer.SerializeToUtf8Bytes(new SqsEvent { Records = TelemetryBatch.Create(records, devices) }, SharedJsonContext.Default.SqsEvent);

        Console.WriteLine($"Throughput: {records:N0} records from {devices:N0} devices ({payload.Length / 1024.0 / 1024.0:0.0} MiB event), broker latency {latency.TotalMilliseconds} ms, {runs} runs after 1 warm-up, .NET {Environment.Version}, {Environment.ProcessorCount} cores");
        await InvokeAsync(handler, payload);
        var rates = new List<double>();
        for (var run = 1; run <= runs; run++)
        {
            var before = (Events: Interlocked.Read(ref events), Requests: requests, Allocated: GC.GetTotalAllocatedBytes(precise: true));
            var clock = Stopwatch.StartNew();
            var response = await InvokeAsync(handler, payload);
            clock.Stop();
            var allocated = GC.GetTotalAllocatedBytes(precise: true) - before.Allocated;
            var delivered = Interlocked.Read(ref events) - before.Events;
            if (delivered != records || response.BatchItemFailures.Count != 0 || parker.Parked != 0)
            {
                Console.Error.WriteLine($"Run {run}: {delivered} delivered, {response.BatchItemFailures.Count} failures, {parker.Parked} parked: not a clean run.");
                return 1;
            }

            var rate = records / clock.Elapsed.TotalSeconds;
            rates.Add(rate);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  run {run}: {clock.Elapsed.TotalMilliseconds,8:0.0} ms  {rate,10:N0} records/s  {requests - before.Requests} requests  {allocated / (double)records,8:N0} B allocated/record (handler + stand-in)"));
        }

        rates.Sort();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Median: {rates[rates.Count / 2]:N0} records/s"));
        return 0;
    }

    private static async Task<SqsBatchResponse> InvokeAsync(IFunctionHandler handler, byte[] payload)
    {
        var invocation = new Invocation(Guid.NewGuid().ToString(), DateTimeOffset.UtcNow.AddMinutes(5), "arn:aws:lambda:us-east-1:123456789012:function:ingest", null, null, null, payload);
        var context = new InvocationContext(invocation, "ingest", TimeProvider.System, new JsonLogWriter(Stream.Null));
        var answer = await context.InvokeAsync(handler, payload, CancellationToken.None);
        return JsonSerializer.Deserialize(answer, SharedJsonContext.Default.SqsBatchResponse)!;
    }

    internal static async Task<WebApplication> StartBrokerAsync(RequestDelegate handler)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        app.Run(handler);
        await app.StartAsync();
        return app;
    }

    internal static int Option(string[] args, string name, int fallback)
    {
        var index = Array.IndexOf(args, name);
        return index >= 0 && index + 1 < args.Length ? int.Parse(args[index + 1], CultureInfo.InvariantCulture) : fallback;
    }

    private sealed class FixedSecret : ISecret
    {
        private const string Value = "{\"apiKey\":\"bench\",\"apiSecret\":\"bench\"}";

        public ValueTask<string> GetAsync(CancellationToken cancellationToken) => ValueTask.FromResult(Value);

        public ValueTask<string> RefreshAsync(CancellationToken cancellationToken) => ValueTask.FromResult(Value);
    }

    /// <summary>Every record is valid here: a parking call would mean the run is not what it claims.</summary>
    private sealed class CountingParker : IRecordParker
    {
        public int Parked { get; private set; }

        public Task<ParkResult> ParkAsync(IReadOnlyList<ParkRequest> requests, CancellationToken cancellationToken)
        {
            Parked += requests.Count;
            return Task.FromResult(new ParkResult(new HashSet<string>(), new Dictionary<string, string>()));
        }
    }
}
